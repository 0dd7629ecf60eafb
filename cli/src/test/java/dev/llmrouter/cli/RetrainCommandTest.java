package dev.llmrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrouter.server.RouterServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * From logged traffic back to a bundle: retrain starts from a base bundle's recipe, adds the trace log's
 * outcomes, and writes a complete bundle only when the policy admits it.
 */
class RetrainCommandTest {
    private static final String[] PROMPTS = {
        "Fix this bug in my Java code: NullPointerException in the parser", "What is 17 times 23?", "hi, how are you?"
    };

    @TempDir
    static Path dir;

    static Path base;
    static Path traces;

    @BeforeAll
    static void baseAndTraffic() throws Exception {
        System.setProperty("llmrouter.home", Traffic.REPO.toString());
        Path outcomes = Traffic.outcomes(dir, 200);
        Path intents = Traffic.intents(dir.resolve("intents.jsonl"));
        base = dir.resolve("base");
        MainTest.Run train = MainTest.run(
                "train", "--data", outcomes.toString(), "--intent-data", intents.toString(), "--out", base.toString());
        assertEquals(0, train.code(), train.err());
        assertFalse(train.err().contains("warning"), "the shipped policy admits the base: " + train.err());
        traces = dir.resolve("traces");
        RouterServer server = Traffic.serve(dir, traces, "full", 0, 60, PROMPTS);
        server.close();
    }

    @Test
    void aBundleTrainedOnTheLogAloneIsRefusedWithAWarningThatNamesRetrain() {
        MainTest.Run run = MainTest.run(
                "train",
                "--data",
                traces.toString() + "/" + onlyLog().getFileName(),
                "--out",
                dir.resolve("alone").toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().contains("refuses this bundle"), run.err());
        assertTrue(run.err().contains("unknown intent"), run.err());
        assertTrue(run.err().contains("retrain --base"), run.err());
    }

    @Test
    void retrainAddsTheLogToTheBaseAndWritesABundleThePolicyAdmits() throws IOException {
        Path out = dir.resolve("retrained");
        MainTest.Run run = MainTest.run(
                "retrain",
                "--base",
                base.toString(),
                "--traces",
                traces.toString(),
                "--out",
                out.toString(),
                "--trace-weight",
                "5");
        assertEquals(0, run.code(), run.err());
        int logged = logged(run.out());
        assertTrue(logged > 0, run.out());
        assertTrue(run.out().contains("each outcome weighing 5.0"), run.out());
        assertTrue(run.out().contains("admitted by"), run.out());
        for (String name : new String[] {"intent", "difficulty", "classifier"}) {
            assertTrue(Files.exists(out.resolve(name + ".onnx")), name);
        }
        JsonNode recipe =
                new ObjectMapper().readTree(out.resolve("training.json").toFile());
        List<String> roles = new ArrayList<>();
        recipe.path("inputs").forEach(i -> roles.add(i.path("role").asText()));
        assertEquals(List.of("data", "traces", "intent"), roles);
        assertEquals(5.0, recipe.path("inputs").get(1).path("weight").asDouble());
        assertEquals(base.toString(), recipe.path("base").asText());
        // the intents the base knew, so the shipped policy routes with it
        MainTest.Run route = MainTest.run("route", "--prompt", PROMPTS[0], "--explain", "--classifier", out.toString());
        assertEquals(0, route.code(), route.err());
        // no folder is left behind by the partial training
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().contains(".partial-")));
        }

        // a retrained bundle is a base too: its log, grown since, is read once, whole
        Files.writeString(onlyLog(), Files.readString(onlyLog()) + Files.readString(onlyLog()));
        Path again = dir.resolve("again");
        MainTest.Run second = MainTest.run(
                "retrain", "--base", out.toString(), "--traces", traces.toString(), "--out", again.toString());
        assertEquals(0, second.code(), second.err());
        assertEquals(2 * logged, logged(second.out()), second.out());
    }

    /** The live router replayed on its own log decides as it logged: the two off-policy estimates agree. */
    @Test
    void evalOnTheLogEstimatesTheLiveRouterAndACandidateOffPolicy() {
        MainTest.Run eval = MainTest.run(
                "eval",
                "--data",
                onlyLog().toString(),
                "--cheap",
                "llama-3.1-8b-instruct",
                "--strong",
                "gpt-4o",
                "--out",
                dir.resolve("eval").toString());
        assertEquals(0, eval.code(), eval.err());
        Matcher logged = Pattern.compile("as logged +(IPS [0-9.]+ ± [0-9.]+  DR [0-9.]+ ± [0-9.]+  cost \\$[0-9.]+)")
                .matcher(eval.out());
        Matcher replayed = Pattern.compile("onnx:default / default v1 +(IPS [0-9.]+ ± [0-9.]+  DR [0-9.]+ ± [0-9.]+"
                        + "  cost \\$[0-9.]+)")
                .matcher(eval.out());
        assertTrue(logged.find() && replayed.find(), eval.out());
        assertEquals(logged.group(1), replayed.group(1), eval.out());
        // every logged request kept its prompt (prompts: full), and each one's start model is known
        Matcher count = Pattern.compile("on the (\\d+) logged requests that kept their prompt")
                .matcher(eval.out());
        assertTrue(count.find(), eval.out());
        assertTrue(
                eval.out().contains("(" + count.group(1) + " decided, " + count.group(1) + " with a logged"),
                eval.out());
        assertTrue(eval.out().contains("off-policy: each model's success"), eval.out());
    }

    @Test
    void aPolicyThatRefusesTheBundleLeavesNothingWritten() throws IOException {
        Path policy = Files.writeString(
                dir.resolve("policy.yaml"),
                Files.readString(Traffic.REPO.resolve("config/policy.yaml"))
                        .replace("match: {intents: [code]}", "match: {intents: [code, translation]}"));
        Path out = dir.resolve("refused");
        MainTest.Run run = MainTest.run(
                "retrain",
                "--base",
                base.toString(),
                "--traces",
                traces.toString(),
                "--out",
                out.toString(),
                "--policy",
                policy.toString());
        assertEquals(2, run.code(), run.out() + run.err());
        assertTrue(run.err().contains("does not admit the retrained bundle"), run.err());
        assertTrue(run.err().contains("translation"), run.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void badInputsAreRefusedByName() throws IOException {
        Path busy = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(busy.resolve("keep.txt"), "mine");
        MainTest.Run overwrite = MainTest.run(
                "retrain", "--base", base.toString(), "--traces", traces.toString(), "--out", busy.toString());
        assertEquals(2, overwrite.code());
        assertTrue(overwrite.err().contains("not an empty folder"), overwrite.err());
        assertEquals("mine", Files.readString(busy.resolve("keep.txt")));

        MainTest.Run noRecipe = MainTest.run(
                "retrain",
                "--base",
                traces.toString(),
                "--traces",
                traces.toString(),
                "--out",
                dir.resolve("x").toString());
        assertEquals(2, noRecipe.code());
        assertTrue(noRecipe.err().contains("has no training.json"), noRecipe.err());

        // the base's data moved: named, with the option that finds it
        Path moved = Files.createDirectories(dir.resolve("moved-base"));
        for (String f : new String[] {"intent", "difficulty", "classifier"}) {
            Files.copy(base.resolve(f + ".onnx"), moved.resolve(f + ".onnx"));
            Files.copy(base.resolve(f + ".json"), moved.resolve(f + ".json"));
        }
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        JsonNode recipe =
                new ObjectMapper().readTree(base.resolve("training.json").toFile());
        String relocated = recipe.toString().replace("\"../", "\"../elsewhere/");
        Files.writeString(moved.resolve("training.json"), relocated);
        MainTest.Run missing = MainTest.run(
                "retrain",
                "--base",
                moved.toString(),
                "--traces",
                traces.toString(),
                "--out",
                dir.resolve("y").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("outcomes.jsonl: not found"), missing.err());
        assertTrue(missing.err().contains("--base-data"), missing.err());
        Files.writeString(elsewhere.resolve("outcomes.jsonl"), "{}\n");
        MainTest.Run changed = MainTest.run(
                "retrain",
                "--base",
                moved.toString(),
                "--traces",
                traces.toString(),
                "--out",
                dir.resolve("y").toString(),
                "--base-data",
                elsewhere.toString());
        assertEquals(2, changed.code());
        assertTrue(changed.err().contains("is not the file trained on"), changed.err());
        MainTest.Run found = MainTest.run(
                "retrain",
                "--base",
                moved.toString(),
                "--traces",
                traces.toString(),
                "--out",
                dir.resolve("y").toString(),
                "--base-data",
                dir.toString());
        assertEquals(0, found.code(), found.err());
    }

    private static Path onlyLog() {
        try (Stream<Path> files = Files.list(traces)) {
            List<Path> logs = files.filter(f -> f.toString().endsWith(".jsonl")).toList();
            assertEquals(1, logs.size(), logs.toString());
            return logs.get(0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int logged(String out) {
        Matcher m = Pattern.compile("logged traffic: (\\d+) labelled requests").matcher(out);
        assertTrue(m.find(), out);
        return Integer.parseInt(m.group(1));
    }
}
