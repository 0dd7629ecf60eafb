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
        assertTrue(
                out.matches("(?s).*\ntop intent's mean probability [01]\\.\\d{3} \\(accuracy [01]\\.\\d{3}\\);"
                        + " expected calibration error [01]\\.\\d{3} over 10 bins\n.*"),
                out);
        // one row a label the intent map gives (alarm: chat, balance: support, translate: writing)
        for (String label : new String[] {"| chat |", "| support |", "| writing |"}) {
            assertTrue(out.contains(label), label + " in " + out);
        }
        assertTrue(out.contains("| requests labelled | n |"), out);
        assertTrue(out.contains("| all | 4 |"), out);
        assertTrue(out.contains("| (no label) | 1 |"), out);

        assertTrue(!out.contains("misses"), "no list of misses unless asked: " + out);

        MainTest.Run bad = MainTest.run("intents", "--data", data.toString(), "--split", "train");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--split: expected all or test"), bad.err());
    }

    @Test
    void listsTheMissesWhenAsked() throws Exception {
        Path data = Files.writeString(dir.resolve("misses.jsonl"), """
                {"id": "a", "source": "clinc150", "prompt": "what is the balance of my checking account", "intent": "balance"}
                {"id": "b", "source": "clinc150", "prompt": "Write a   poem\\nabout the sea", "intent": "balance"}
                """);
        MainTest.Run run =
                MainTest.run("intents", "--data", data.toString(), "--classifier", "heuristic", "--misses", "5");
        assertEquals(0, run.code(), run.err());
        assertTrue(
                run.out()
                        .matches("(?s).*first \\d misses .*\\n  misses\\.jsonl:2: support, predicted (?!support)\\w+"
                                + " [01]\\.\\d\\d: Write a poem about the sea\\n.*"),
                run.out());

        MainTest.Run bad = MainTest.run("intents", "--data", data.toString(), "--misses", "-1");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--misses: expected a count of 0 or more, got -1"), bad.err());
    }
}
