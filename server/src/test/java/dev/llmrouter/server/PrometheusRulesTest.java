package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.testing.ExternalTool;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped rules pass Prometheus's own checks and their unit tests (a firing and a quiet case per alert). */
class PrometheusRulesTest {
    static final Path RULES =
            Path.of("..", "monitoring", "prometheus").toAbsolutePath().normalize();

    @Test
    void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
        Path promtool = ExternalTool.require("promtool", "apt-get install prometheus");
        String checked = ExternalTool.run(RULES, promtool.toString(), "check", "rules", "llm-router.rules.yml");
        assertTrue(checked.contains("SUCCESS"), checked);
        String tested = ExternalTool.run(RULES, promtool.toString(), "test", "rules", "llm-router.rules.test.yml");
        assertTrue(tested.contains("SUCCESS"), tested);
    }
}
