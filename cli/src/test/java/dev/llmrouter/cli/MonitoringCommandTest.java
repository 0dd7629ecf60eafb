package dev.llmrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `monitoring rules` writes the Prometheus rules of a policy; the shipped ones are its output, not a copy. */
class MonitoringCommandTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @BeforeAll
    static void home() {
        System.setProperty("llmrouter.home", REPO.toString());
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        assertEquals(0, code, err.toString());
        return out.toString();
    }

    @Test
    void theShippedRulesAreWhatTheShippedPolicyWrites() throws Exception {
        String written = run(
                "monitoring",
                "rules",
                "--policy",
                REPO.resolve("config/policy.yaml").toString());
        assertEquals(
                Files.readString(REPO.resolve("monitoring/prometheus/llm-router.rules.yml")),
                written,
                "monitoring/prometheus/llm-router.rules.yml is stale: write it again with ./llm-router monitoring"
                        + " rules --out monitoring/prometheus/llm-router.rules.yml");
    }

    @Test
    void aRoutesWatchBoundsAndWindowReachItsAlerts(@TempDir Path dir) throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, """
                id: watched
                version: 7
                routes:
                  - name: default
                    watch: {escalation_rate: [0.1, 0.2], window: 40s, min_requests: 3, decision_p99: 500us}
                """);
        Path out = dir.resolve("rules.yml");
        run("monitoring", "rules", "--policy", policy.toString(), "--out", out.toString());
        String rules = Files.readString(out);
        assertTrue(rules.contains("# Prometheus rules for the llm-router policy watched v7"), rules);
        assertTrue(rules.contains("[40s])) < 0.1\n"), rules);
        assertTrue(rules.contains("[40s])) > 0.2\n"), rules);
        assertTrue(rules.contains(">= 3\n"), rules);
        assertTrue(rules.contains("> 5.0E-4\n"), rules);
        assertTrue(rules.contains("for: 4s"), "alerts hold for a tenth of the window: " + rules);
        assertTrue(rules.contains("policy_version: 7"), rules);
    }
}
