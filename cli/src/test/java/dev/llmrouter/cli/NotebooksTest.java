package dev.llmrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.request.Json;
import dev.llmrouter.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notebooks under notebooks/ are committed without outputs and run top to bottom (Debian's
 * jupyter-nbconvert with its Python 3 kernel, pandas and matplotlib) on data this test makes: a short served
 * run for the escalation notebook, whose escalation rates must equal `stats`; an eval run for the cost-quality
 * notebook, whose APGR recomputed from curve.csv must equal the report's; a trained bundle for the calibration
 * notebook, whose ECE recomputed from the cards' reliability diagrams must equal the cards'.
 */
class NotebooksTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path NOTEBOOKS = REPO.resolve("notebooks");

    @BeforeAll
    static void home() {
        System.setProperty("llmrouter.home", REPO.toString());
    }

    @Test
    void notebooksAreCommittedWithoutOutputs() throws Exception {
        List<Path> notebooks;
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            notebooks =
                    files.filter(f -> f.toString().endsWith(".ipynb")).sorted().toList();
        }
        assertFalse(notebooks.isEmpty());
        for (Path notebook : notebooks) {
            JsonNode nb = Json.MAPPER.readTree(notebook.toFile());
            assertEquals(4, nb.path("nbformat").asInt(), notebook + " is a version 4 notebook");
            assertEquals(
                    "python3",
                    nb.path("metadata").path("kernelspec").path("name").asText(),
                    notebook.toString());
            for (JsonNode cell : nb.path("cells")) {
                if (cell.path("cell_type").asText().equals("code")) {
                    assertTrue(cell.path("outputs").isEmpty(), notebook + ": a code cell was committed with outputs");
                    assertTrue(
                            cell.path("execution_count").isNull(), notebook + ": a code cell has an execution count");
                }
            }
        }
    }

    @Test
    void theEscalationNotebookReadsATraceLogAsStatsDoes(@TempDir Path dir) throws Exception {
        Path nbconvert = nbconvert();
        Path traces = dir.resolve("traces");
        Traffic.serve(
                        dir,
                        traces,
                        0.1,
                        60,
                        "Fix this bug: TypeError: undefined is not a function in my React component",
                        "What is the capital of Peru?",
                        "Prove that there are infinitely many primes.")
                .close();
        Path out = dir.resolve("headline.json");
        execute(
                nbconvert,
                dir,
                "escalation.ipynb",
                Map.of("TRACES", traces.toString(), "NOTEBOOK_OUT", out.toString()));
        JsonNode notebook = Json.MAPPER.readTree(out.toFile());

        List<String> args = new ArrayList<>(List.of("stats", "--json"));
        try (Stream<Path> files = Files.list(traces)) {
            files.sorted().forEach(f -> args.add(f.toString()));
        }
        StatsCommandTest.Run stats = StatsCommandTest.run(args.toArray(String[]::new));
        assertEquals(0, stats.code(), stats.err());
        JsonNode groups = Json.MAPPER.readTree(stats.out()).path("groups");
        assertEquals(groups.size(), notebook.path("escalation_rate").size(), "the same routes");
        groups.fields().forEachRemaining(route -> {
            assertEquals(
                    route.getValue().path("requests").asLong(),
                    notebook.path("requests").path(route.getKey()).asLong(),
                    route.getKey());
            assertEquals(
                    route.getValue().path("escalation_rate").asDouble(),
                    notebook.path("escalation_rate").path(route.getKey()).asDouble(),
                    1e-12,
                    route.getKey());
        });
        assertTrue(notebook.path("feedbacks").asInt() > 0, "feedback was joined to its traces");
    }

    @Test
    void theCostQualityNotebookRecomputesTheReportsApgr(@TempDir Path dir) throws Exception {
        Path nbconvert = nbconvert();
        Path data = Traffic.records(dir, 80, true);
        Path report = dir.resolve("report");
        StatsCommandTest.Run eval = StatsCommandTest.run(
                "eval",
                "--data",
                data.toString(),
                "--cheap",
                "small",
                "--strong",
                "large",
                "--price",
                "small=0.1,0.1",
                "--out",
                report.toString(),
                "--classifier",
                "heuristic");
        assertEquals(0, eval.code(), eval.err());
        Path out = dir.resolve("headline.json");
        execute(
                nbconvert,
                dir,
                "cost-quality.ipynb",
                Map.of("REPORT", report.toString(), "NOTEBOOK_OUT", out.toString()));
        JsonNode headline = Json.MAPPER.readTree(out.toFile());
        assertTrue(headline.size() >= 3, "the router and its baselines: " + headline);
        headline.fields().forEachRemaining(router -> {
            JsonNode reported = router.getValue().path("apgr_report");
            if (!reported.isNull()) {
                assertEquals(
                        reported.asDouble(),
                        router.getValue().path("apgr_from_curve").asDouble(),
                        1e-9,
                        router.getKey() + ": APGR from curve.csv against report.json");
            }
        });
    }

    @Test
    void theCalibrationNotebookDrawsATrainedBundlesReliability(@TempDir Path dir) throws Exception {
        Path nbconvert = nbconvert();
        Path bundle = dir.resolve("bundle");
        StatsCommandTest.Run train = StatsCommandTest.run(
                "train", "--data", Traffic.outcomes(dir, 400).toString(), "--out", bundle.toString());
        assertEquals(0, train.code(), train.err());
        Path out = dir.resolve("headline.json");
        execute(
                nbconvert,
                dir,
                "calibration.ipynb",
                Map.of("MODELS", bundle.toString(), "NOTEBOOK_OUT", out.toString()));
        JsonNode headline = Json.MAPPER.readTree(out.toFile());
        JsonNode difficulty = headline.path("difficulty");
        assertTrue(difficulty.path("bins").asInt() > 0, "the difficulty card has its reliability diagram: " + headline);
        assertEquals(
                difficulty.path("ece_card").asDouble(),
                difficulty.path("ece_from_bins").asDouble(),
                1e-9,
                "the card's ECE is its diagram's");
    }

    private static Path nbconvert() {
        return ExternalTool.require(
                "jupyter-nbconvert",
                "apt-get install jupyter-nbconvert python3-nbclient python3-ipykernel python3-pandas python3-matplotlib");
    }

    /** Runs a notebook top to bottom into {@code dir} (the committed one is left as it is). */
    private static void execute(Path nbconvert, Path dir, String notebook, Map<String, String> env) throws Exception {
        ExternalTool.run(
                NOTEBOOKS,
                env,
                nbconvert.toString(),
                "--to",
                "notebook",
                "--execute",
                "--ExecutePreprocessor.timeout=300",
                "--output-dir",
                dir.toString(),
                NOTEBOOKS.resolve(notebook).toString());
        assertTrue(Files.isRegularFile(dir.resolve(notebook)), "the executed notebook was written");
    }
}
