package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.TraceJson;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The series a decision trace adds, read from the reviewed golden traces of the router's tests. */
class RouterMetricsTest {
    static final Path GOLDEN = Path.of("..", "router", "src", "test", "resources", "golden");

    @Test
    void familiarityIsASummaryByRouteAndTheRaisedStartsAreCounted() throws Exception {
        DecisionTrace unfamiliar = TraceJson.fromJson(Files.readString(GOLDEN.resolve("explain_unfamiliar.json")));
        DecisionTrace heuristic = TraceJson.fromJson(Files.readString(GOLDEN.resolve("explain_pinned.json")));
        RouterMetrics metrics = new RouterMetrics();
        metrics.record(unfamiliar, 1_000_000, "served");
        metrics.record(heuristic, 1_000_000, "served");
        String text = metrics.scrape();
        assertTrue(
                text.lines()
                        .anyMatch(l -> l.startsWith("llm_router_familiarity_percent_sum{")
                                && l.contains("route=\"default\"")
                                && l.endsWith(" 31.0")),
                text);
        assertTrue(
                text.lines()
                        .anyMatch(l -> l.startsWith("llm_router_familiarity_percent_bucket{")
                                && l.contains("le=\"50.0\"")
                                && l.endsWith(" 1")),
                text);
        assertTrue(
                text.lines()
                        .anyMatch(l -> l.startsWith("llm_router_unfamiliar_total{")
                                && l.contains("route=\"default\"")
                                && l.endsWith(" 1.0")),
                text);
        // a classifier without a familiarity (the pinned trace's fixed one) adds no observation
        assertTrue(text.lines()
                .noneMatch(l -> l.startsWith("llm_router_familiarity_percent_count{") && l.contains("pinned")));
    }
}
