package dev.llmrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.request.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    @BeforeAll
    static void home() {
        System.setProperty("llmrouter.home", REPO.toString());
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void serveLoadsEverythingAndStopsWhenAskedToExitWhenReady() {
        Run run = run("serve", "--port", "0", "--management-port", "0", "--exit-when-ready");
        assertEquals(0, run.code(), run.err());
    }

    @Test
    void shippedPolicyIsAdmitted() {
        Run run = run("policy", "check", REPO.resolve("config/policy.yaml").toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("admitted"), run.out());
    }

    @Test
    void refusedPolicyExitsTwoAndListsEveryErrorWithItsPath() throws IOException {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                id: bad
                version: 1
                routes:
                  - name: a
                    match: {intents: [code]}
                    filter: {max_input_price: cheap, regions: [eu-west-9]}
                  - name: b
                    rank: {by: nearest}
                """);
        Run run = run("policy", "check", bad.toString());
        assertEquals(2, run.code());
        assertTrue(run.err().contains("routes[0].filter.max_input_price: expected a number, got \"cheap\""), run.err());
        assertTrue(run.err().contains("routes[0].filter.regions[0]: unknown region 'eu-west-9'"), run.err());
        assertTrue(run.err().contains("routes[1].rank.by: unknown ranking 'nearest'"), run.err());
    }

    @Test
    void hashIgnoresKeyOrderAndFormattingButNotRules() throws IOException {
        Path a = dir.resolve("a.yaml");
        Path b = dir.resolve("b.yaml");
        Path c = dir.resolve("c.yaml");
        Files.writeString(
                a, "id: p\nversion: 1\nroutes:\n  - name: all\n    cascade: {gate_threshold: 0.5, enabled: true}\n");
        Files.writeString(
                b,
                "# same rules\nversion: 1\nroutes: [{cascade: {enabled: true, gate_threshold: 0.50}, name: all}]\nid: p\n");
        Files.writeString(
                c, "id: p\nversion: 1\nroutes:\n  - name: all\n    cascade: {gate_threshold: 0.6, enabled: true}\n");
        String hashA = run("policy", "hash", a.toString()).out().strip();
        assertEquals(64, hashA.length());
        assertEquals(hashA, run("policy", "hash", b.toString()).out().strip());
        assertTrue(!hashA.equals(run("policy", "hash", c.toString()).out().strip()));
    }

    @Test
    void explainPrintsTheTraceWithoutCallingAnyModel() throws IOException {
        Run run = run("route", "--prompt", "What is the capital of France?", "--explain");
        assertEquals(0, run.code(), run.err());
        JsonNode trace = Json.MAPPER.readTree(run.out());
        assertEquals("explained", trace.get("outcome").asText());
        assertEquals("default", trace.get("policy").get("id").asText());
        assertTrue(trace.get("attempts").isEmpty());
        assertTrue(trace.get("start").asText().length() > 0);
        assertTrue(trace.get("candidates").size() > 5);
    }

    @Test
    void explainShowsEveryRejectionWhenNothingMayServe() throws IOException {
        Path strict = dir.resolve("strict.yaml");
        Files.writeString(strict, """
                id: strict
                version: 2
                routes:
                  - name: all
                    mutate: {clamp_max_tokens: false}
                """);
        Run run =
                run("route", "--prompt", "hello", "--explain", "--policy", strict.toString(), "--max-tokens", "900000");
        assertEquals(1, run.code(), run.out());
        JsonNode trace = Json.MAPPER.readTree(run.out());
        assertEquals("no_eligible_model", trace.get("outcome").asText());
        for (JsonNode candidate : trace.get("candidates")) {
            assertEquals("max_tokens_over_model_limit", candidate.get("reason").asText(), candidate.toString());
        }
    }

    @Test
    void routeNeedsExactlyOnePromptSource() {
        Run run = run("route", "--explain");
        assertEquals(2, run.code());
        assertTrue(run.err().contains("exactly one of --prompt TEXT and --request FILE"), run.err());
    }

    @Test
    void unknownOptionIsAUsageError() {
        Run run = run("route", "--promtp", "x");
        assertEquals(2, run.code());
        assertTrue(run.err().contains("Unknown option"), run.err());
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] args : new String[][] {
            {"--help"},
            {"policy", "--help"},
            {"policy", "check", "--help"},
            {"policy", "hash", "--help"},
            {"route", "--help"},
            {"catalog", "check", "--help"}
        }) {
            Run run = run(args);
            assertEquals(0, run.code(), String.join(" ", args));
            assertTrue(run.out().contains("Usage:"), run.out());
        }
    }

    @Test
    void aCommandBuiltAloneStillReadsAsPartOfTheWholeCommandLine() {
        // a command line that names a command builds only that one: its usage, help about any command and
        // the top-level listing must not notice
        Run alone = run("serve", "--help");
        assertTrue(alone.out().startsWith("Usage: llm-router serve"), alone.out());
        Run help = run("help", "train");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().startsWith("Usage: llm-router train"), help.out());
        Run top = run("--help");
        for (String command : new String[] {
            "policy",
            "catalog",
            "route",
            "eval",
            "train",
            "crossval",
            "intents",
            "calibrate",
            "serve",
            "simulate-upstream",
            "help"
        }) {
            assertTrue(top.out().contains("\n  " + command + " "), command + " in " + top.out());
        }
        Run unknown = run("serv");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("'serv'"), unknown.err());
        Run wrongOption = run("serve", "--prot", "1");
        assertEquals(2, wrongOption.code());
        assertTrue(wrongOption.err().contains("Try 'llm-router serve --help'"), wrongOption.err());
    }

    @Test
    void missingFileIsNamed() {
        Run run = run("policy", "check", dir.resolve("nope.yaml").toString());
        assertEquals(2, run.code());
        assertTrue(run.err().contains("nope.yaml: no such file"), run.err());
    }
}
