package dev.llmrouter.evalsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecordLoaderTest {
    static final String GOOD =
            "{\"id\": \"r1\", \"source\": \"test/set\", \"category\": \"algebra\", \"prompt\": \"2+2?\","
                    + " \"outcomes\": {\"cheap\": {\"score\": 0.0, \"output_tokens\": 12}, \"strong\": {\"score\": 1.0,"
                    + " \"cost_usd\": 0.002, \"response\": \"4\"}}}";

    @TempDir
    Path dir;

    @Test
    void readsEveryFieldOfAValidRecord() throws IOException {
        Path file = write("good.jsonl", GOOD + "\n\n" + GOOD.replace("r1", "r2"));
        RecordLoader.Loaded loaded = RecordLoader.load(List.of(file), false);
        assertEquals(2, loaded.records().size());
        LabelledRecord r = loaded.records().getFirst();
        assertEquals("r1", r.id());
        assertEquals("algebra", r.category());
        assertEquals("good.jsonl:1", r.location());
        assertEquals("good.jsonl:3", loaded.records().get(1).location());
        assertEquals(12, r.outcomes().get("cheap").outputTokens().getAsInt());
        assertEquals(0.002, r.outcomes().get("strong").costUsd().getAsDouble());
        assertEquals("4", r.outcomes().get("strong").response().orElseThrow());
    }

    @Test
    void turnsHoldTheUserTurnsBeforeThePromptWhicheverWayTheFileListsThem() throws IOException {
        String withPrompt =
                GOOD.replace("\"prompt\": \"2+2?\",", "\"prompt\": \"2+2?\", \"turns\": [\"1+1?\", \"2+2?\"],");
        String earlierOnly = GOOD.replace("\"prompt\": \"2+2?\",", "\"prompt\": \"2+2?\", \"turns\": [\"1+1?\"],");
        String firstTurn = GOOD.replace("\"prompt\": \"2+2?\",", "\"prompt\": \"2+2?\", \"turns\": [\"2+2?\"],");
        List<LabelledRecord> records = RecordLoader.load(
                        List.of(write("turns.jsonl", String.join("\n", withPrompt, earlierOnly, firstTurn))), false)
                .records();
        assertEquals(List.of("1+1?"), records.get(0).turns());
        assertEquals(List.of("1+1?"), records.get(1).turns());
        assertEquals(List.of(), records.get(2).turns());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "not json|not valid JSON",
                "[1, 2]|expected a JSON object",
                "{\"id\": \"x\", \"outcomes\": {\"m\": {\"score\": 1}}}|prompt: required",
                "{\"id\": \"x\", \"prompt\": \" \", \"outcomes\": {\"m\": {\"score\": 1}}}|prompt: must not be empty",
                "{\"id\": \"x\", \"prompt\": \"p\"}|outcomes: expected an object with at least one model",
                "{\"id\": \"x\", \"prompt\": \"p\", \"outcomes\": {\"m\": {\"score\": 1.5}}}|outcomes.m.score: expected a number in [0, 1], got 1.5",
                "{\"id\": \"x\", \"prompt\": \"p\", \"outcomes\": {\"m\": {\"score\": \"high\"}}}|outcomes.m.score: expected a number in [0, 1]",
                "{\"id\": \"x\", \"prompt\": \"p\", \"outcomes\": {\"m\": {\"score\": 1, \"cost_usd\": -1}}}|outcomes.m.cost_usd: expected a non-negative number",
                "{\"id\": \"x\", \"prompt\": \"p\", \"outcomes\": {\"m\": {\"score\": 1, \"tokens\": 3}}}|outcomes.m: unknown field 'tokens'",
                "{\"id\": 7, \"prompt\": \"p\", \"outcomes\": {\"m\": {\"score\": 1}}}|id: expected a string, got 7",
                "{\"id\": \"x\", \"prompt\": \"p\", \"turns\": \"one\", \"outcomes\": {\"m\": {\"score\": 1}}}|turns: expected a list of strings",
                "{\"id\": \"x\", \"prompt\": \"p\", \"colour\": 1, \"outcomes\": {\"m\": {\"score\": 1}}}|unknown field 'colour'"
            })
    void aBadLineStopsTheLoadWithFileLineAndWhatIsWrong(String line, String message) throws IOException {
        Path file = write("bad.jsonl", GOOD + "\n" + line + "\n");
        RecordLoader.InvalidRecordException e =
                assertThrows(RecordLoader.InvalidRecordException.class, () -> RecordLoader.load(List.of(file), false));
        assertTrue(e.getMessage().startsWith(file + ":2: " + message), e.getMessage());
        assertTrue(e.getMessage().endsWith("(pass --skip-invalid to skip such lines)"), e.getMessage());
    }

    @Test
    void skipInvalidCountsBadLinesAndKeepsTheRest() throws IOException {
        Path file = write("mixed.jsonl", GOOD + "\nnot json\n" + GOOD.replace("r1", "r3") + "\n{}\n");
        RecordLoader.Loaded loaded = RecordLoader.load(List.of(file), true);
        assertEquals(2, loaded.records().size());
        assertEquals(2, loaded.skipped());
        assertEquals(2, loaded.problems().size());
        assertTrue(
                loaded.problems().get(1).startsWith(file + ":4: "),
                loaded.problems().get(1));
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope.jsonl");
        RecordLoader.InvalidRecordException e = assertThrows(
                RecordLoader.InvalidRecordException.class, () -> RecordLoader.load(List.of(missing), true));
        assertEquals(missing + ": no such file", e.getMessage());
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
