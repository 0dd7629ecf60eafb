package dev.llmrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.features.ModelCard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    @TempDir
    static Path dir;

    static Path data;

    /** MT-bench-like records whose pair the shipped tier map knows: mixtral (tier 2) and gpt-4 (tier 3). */
    @BeforeAll
    static void fixture() throws IOException {
        System.setProperty(
                "llmrouter.home", Path.of("..").toAbsolutePath().normalize().toString());
        data = Traffic.outcomes(dir, 200);
    }

    @Test
    void trainWritesABundleThatEvalAndRouteLoad() throws IOException {
        Path bundle = dir.resolve("bundle");
        MainTest.Run train = MainTest.run("train", "--data", data.toString(), "--out", bundle.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("trained 3 models on 200 records"), train.out());
        assertTrue(train.err().contains("config/policy.yaml refuses this bundle"), train.err());
        assertTrue(train.err().contains("unknown intent 'code' (the classifier knows: math)"), train.err());
        for (String name : new String[] {"intent", "difficulty", "classifier"}) {
            assertTrue(Files.exists(bundle.resolve(name + ".onnx")) && Files.exists(bundle.resolve(name + ".json")));
        }
        // train's default features are the shipped bundle's, so models/build.sh rebuilds what is shipped
        ModelCard shipped = ModelCard.read(Path.of("..", "models", "default", "intent.json"));
        ModelCard trained = ModelCard.read(bundle.resolve("intent.json"));
        assertEquals(shipped.featureSpec(), trained.featureSpec());
        assertEquals(shipped.featureSpecHash(), trained.featureSpecHash());
        // one difficulty model per tier instead, on request
        Path tiers = dir.resolve("tiers");
        MainTest.Run perTier =
                MainTest.run("train", "--data", data.toString(), "--out", tiers.toString(), "--difficulty", "tiers");
        assertEquals(0, perTier.code(), perTier.err());
        for (String name : new String[] {"intent", "difficulty-tier2", "difficulty-tier3", "classifier"}) {
            assertTrue(Files.exists(tiers.resolve(name + ".onnx")) && Files.exists(tiers.resolve(name + ".json")));
        }
        MainTest.Run unknown =
                MainTest.run("train", "--data", data.toString(), "--out", tiers.toString(), "--difficulty", "2pl");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--difficulty"), unknown.err());
        // the bundle knows only the intent 'math': the shipped policy, which routes on others, is refused
        MainTest.Run refused = MainTest.run(
                "route", "--prompt", "What is 3 plus one?", "--explain", "--classifier", bundle.toString());
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("unknown intent 'code' (the classifier knows: math)"), refused.err());
        MainTest.Run route = MainTest.run(
                "route",
                "--prompt",
                "What is 3 plus one?",
                "--explain",
                "--classifier",
                bundle.toString(),
                "--policy",
                "../config/eval-policy.yaml");
        assertEquals(0, route.code(), route.err());
        assertTrue(route.out().contains("\"id\" : \"onnx:bundle\""), route.out());
        MainTest.Run eval = MainTest.run(
                "eval",
                "--data",
                data.toString(),
                "--cheap",
                "mixtral-8x7b-instruct",
                "--strong",
                "gpt-4-1106-preview",
                "--classifier",
                bundle.toString(),
                "--split",
                "test",
                "--out",
                dir.resolve("report").toString());
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("records, mixtral-8x7b-instruct vs gpt-4-1106-preview"), eval.out());
    }

    @Test
    void crossvalReportsEveryFoldAndTheMean() {
        MainTest.Run run = MainTest.run(
                "crossval",
                "--data",
                data.toString(),
                "--cheap",
                "mixtral-8x7b-instruct",
                "--strong",
                "gpt-4-1106-preview",
                "--folds",
                "3");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("fold 2:"), run.out());
        assertTrue(run.out().contains("3-fold mean: router APGR"), run.out());
    }

    @Test
    void crossvalTakesTheDataOptionsEvalTakes() throws Exception {
        Path broken = dir.resolve("broken.jsonl");
        java.nio.file.Files.writeString(broken, java.nio.file.Files.readString(data) + "{not json\n");
        String[] args = {
            "crossval",
            "--data",
            broken.toString(),
            "--cheap",
            "mixtral-8x7b-instruct",
            "--strong",
            "gpt-4-1106-preview",
            "--folds",
            "2",
            "--catalog",
            "../config/catalog.yaml",
            "--tiers",
            "../config/tiers.yaml"
        };
        MainTest.Run strict = MainTest.run(args);
        assertEquals(2, strict.code(), strict.err());
        String[] skipping = java.util.Arrays.copyOf(args, args.length + 1);
        skipping[args.length] = "--skip-invalid";
        MainTest.Run run = MainTest.run(skipping);
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().contains("skipped " + broken), run.err());
        assertTrue(run.out().contains("2-fold mean: router APGR"), run.out());
    }

    @Test
    void badSettingsAreNamed() {
        MainTest.Run features = MainTest.run(
                "train", "--data", data.toString(), "--out", dir.resolve("x").toString(), "--features", "pixels");
        assertEquals(2, features.code());
        assertTrue(features.err().contains("--features: expected one of"), features.err());
        MainTest.Run missing = MainTest.run(
                "route",
                "--prompt",
                "hi",
                "--explain",
                "--classifier",
                dir.resolve("nothing").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no classifier bundle at " + dir.resolve("nothing")), missing.err());
    }
}
