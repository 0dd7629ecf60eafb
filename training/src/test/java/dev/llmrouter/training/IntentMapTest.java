package dev.llmrouter.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.evalsets.LabelledRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntentMapTest {
    @TempDir
    Path dir;

    static LabelledRecord record(String source, String intent) {
        return new LabelledRecord(
                "r", source, "", Optional.empty(), "p", List.of(), Map.of(), Optional.of(intent), "f.jsonl", 1);
    }

    @Test
    void aLabelMapsByItsSourceOrThePrefixElseTheDefault() throws Exception {
        IntentMap map = IntentMap.load(Files.writeString(dir.resolve("map.yaml"), """
                taxonomy: [chat, knowledge, support]
                sources:
                  assistant:
                    default: chat
                    definition: knowledge
                """));
        assertEquals(Optional.of("knowledge"), map.intentOf(record("assistant", "definition")));
        assertEquals(Optional.of("chat"), map.intentOf(record("assistant/v2", "alarm")));
        assertEquals(Optional.empty(), map.intentOf(record("elsewhere", "definition")));
    }

    @Test
    void anIntentOutsideTheTaxonomyIsNamed() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                taxonomy: [chat, knowledge]
                sources:
                  assistant: {alarm: chit-chat}
                """);
        dev.llmrouter.config.InvalidConfigException e =
                assertThrows(dev.llmrouter.config.InvalidConfigException.class, () -> IntentMap.load(file));
        assertTrue(e.getMessage().contains("unknown intent 'chit-chat' (taxonomy: chat, knowledge)"), e.getMessage());
    }
}
