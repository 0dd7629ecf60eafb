package dev.llmrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code intents}: accuracy and confusion against the files' labels, and the tier each request starts at. */
class IntentsCommandTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void home() {
        System.setProperty(
                "llmrouter.home", Path.of("..").toAbsolutePath().normalize().toString());
    }

    @Test
    void reportsAccuracyConfusionAndStartTiersByLabel() throws Exception {
        Path data = Files.writeString(dir.resolve("chat.jsonl"), """
                {"id": "a", "source": "clinc150", "prompt": "set an alarm for seven tomorrow", "intent": "alarm"}
                {"id": "b", "source": "clinc150", "prompt": "what is the balance of my checking account", "intent": "balance"}
                {"id": "c", "source": "clinc150", "prompt": "how do you say good night in german", "intent": "translate"}
                {"id": "d", "source": "nowhere", "prompt": "hello there", "intent": "greeting"}
                """);
        MainTest.Run run = MainTest.run("intents", "--data", data.toString(), "--classifier", "heuristic");
        assertEquals(0, run.code(), run.err());
        String out = run.out();
        assertTrue(out.contains("4 records (all), 3 with an intent label; classifier heuristic"), out);
        assertTrue(out.matches("(?s).*intent accuracy [01]\\.\\d{3}\n.*"), out);
        // one row a label the intent map gives (alarm: chat, balance: support, translate: writing)
        for (String label : new String[] {"| chat |", "| support |", "| writing |"}) {
            assertTrue(out.contains(label), label + " in " + out);
        }
        assertTrue(out.contains("| requests labelled | n |"), out);
        assertTrue(out.contains("| all | 4 |"), out);
        assertTrue(out.contains("| (no label) | 1 |"), out);

        MainTest.Run bad = MainTest.run("intents", "--data", data.toString(), "--split", "train");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--split: expected all or test"), bad.err());
    }
}
