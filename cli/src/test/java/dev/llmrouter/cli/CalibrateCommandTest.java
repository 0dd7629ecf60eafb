package dev.llmrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code calibrate}: a certified setting, its check, the bootstrap and the policy change, or a clear refusal. */
class CalibrateCommandTest {
    @TempDir
    static Path dir;

    static Path data;

    /** Short sums both models get right; long proofs only the strong one does. */
    @BeforeAll
    static void fixture() throws Exception {
        System.setProperty(
                "llmrouter.home", Path.of("..").toAbsolutePath().normalize().toString());
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            boolean hard = i % 3 == 0;
            String prompt = hard
                    ? "Prove rigorously, step by step and with every lemma stated, that the series number " + i
                            + " converges; then bound its remainder and explain each inequality you use"
                    : "What is " + i + " plus one?";
            lines.append(String.format(
                    Locale.ROOT,
                    "{\"id\": \"q%d\", \"source\": \"routellm/gsm8k\", \"category\": \"grade_school_math\","
                            + " \"prompt\": \"%s\", \"outcomes\": {\"mixtral-8x7b-instruct\": {\"score\": %d},"
                            + " \"gpt-4-1106-preview\": {\"score\": 1}}}%n",
                    i,
                    prompt,
                    hard ? 0 : 1));
        }
        data = Files.writeString(dir.resolve("fixture.jsonl"), lines.toString());
    }

    static MainTest.Run calibrate(String... extra) {
        String[] base = {
            "calibrate",
            "--data",
            data.toString(),
            "--cheap",
            "mixtral-8x7b-instruct",
            "--strong",
            "gpt-4-1106-preview",
            "--classifier",
            "heuristic",
            "--split",
            "all",
            "--resamples",
            "20"
        };
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return MainTest.run(args);
    }

    @Test
    void certifiesASettingChecksItAndPrintsThePolicyChange() {
        MainTest.Run run = calibrate("--max-quality-loss", "0.05", "--confidence", "0.9");
        assertEquals(0, run.code(), run.err());
        String out = run.out();
        assertTrue(out.contains("600 records (all)"), out);
        assertTrue(out.contains("Clopper-Pearson bound, fixed-sequence testing"), out);
        assertTrue(out.contains("| 0.0000 | 1.000 |"), "always-strong is tested first: " + out);
        assertTrue(out.contains("check side: loss"), out);
        assertTrue(out.contains("bootstrap: over 20 resamples"), out);
        // the length cue tells the proofs apart: some setting short of always-strong is certified
        assertTrue(out.contains("chosen: gap"), out);
        assertTrue(out.contains("routes.all.cascade.quality_gap: 0.1500 -> "), out);
    }

    @Test
    void refusesATargetOutsideZeroToOne() {
        MainTest.Run run = calibrate("--max-quality-loss", "2");
        assertEquals(2, run.code());
        assertTrue(run.err().contains("--max-quality-loss must lie between 0 and 1"), run.err());
    }
}
