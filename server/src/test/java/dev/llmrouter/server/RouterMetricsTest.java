package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.catalog.CatalogLoader;
import dev.llmrouter.classify.HeuristicClassifier;
import dev.llmrouter.config.Documents;
import dev.llmrouter.policy.PolicyLoader;
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
        metrics.record(unfamiliar, 1_000_000, "served", "openai");
        metrics.record(heuristic, 1_000_000, "served", "openai");
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

    @Test
    void theSeriesTheRulesReadAreThereForAnEscalatedRequestThatFellBack() throws Exception {
        DecisionTrace trace = TraceJson.fromJson(Files.readString(GOLDEN.resolve("fallback_then_escalation.json")));
        RouterMetrics metrics = new RouterMetrics();
        metrics.policyInForce(PolicyLoader.admit(
                Documents.parse(
                        "id: p\nversion: 3\nroutes:\n  - name: default\n    watch: {provider_share: 0.8}\n", "p"),
                "p",
                CatalogLoader.load(Path.of("..", "config", "catalog.yaml")),
                new HeuristicClassifier().intents()));
        metrics.record(trace, 5_000_000, "served", "acme");
        metrics.feedback("default", "mid", 0.8, true);
        String text = metrics.scrape();
        for (String[] series : new String[][] {
            {"llm_router_requests_total{", "route=\"default\"", "provider=\"acme\"", " 1.0"},
            {"llm_router_escalated_requests_total{", "route=\"default\"", "", " 1.0"},
            {"llm_router_fallback_requests_total{", "route=\"default\"", "", " 1.0"},
            {"llm_router_fallbacks_total{", "route=\"default\"", "kind=\"server_error\"", " 1.0"},
            {"llm_router_gate_verdicts_total{", "model=\"small-b\"", "verdict=\"escalate\"", " 1.0"},
            {"llm_router_gate_verdicts_total{", "model=\"mid\"", "verdict=\"accept\"", " 1.0"},
            {"llm_router_gate_verdicts_total{", "judge=\"rules\"", "verdict=\"accept\"", " 1.0"},
            {"llm_router_cost_usd_total{", "route=\"default\"", "model=\"mid\"", " 3.0E-4"},
            {"llm_router_decision_seconds_count{", "route=\"default\"", "", " 1"},
            {"llm_router_feedback_score_percent_sum{", "route=\"default\"", "model=\"mid\"", " 80.0"},
            {"llm_router_feedback_score_percent_bucket{", "model=\"mid\"", "le=\"80.0\"", " 1"},
            {"llm_router_feedback_score_percent_bucket{", "model=\"mid\"", "le=\"70.0\"", " 0"},
            {"llm_router_policy_version ", "", "", " 3.0"},
            {"llm_router_watch_bound{", "bound=\"escalation_floor\"", "route=\"default\"", " 0.02"},
            {"llm_router_watch_bound{", "bound=\"provider_share\"", "route=\"default\"", " 0.8"},
            {"llm_router_watch_bound{", "bound=\"decision_p99_seconds\"", "route=\"default\"", " 0.02"}
        }) {
            assertTrue(
                    text.lines()
                            .anyMatch(l -> l.startsWith(series[0])
                                    && l.contains(series[1])
                                    && l.contains(series[2])
                                    && l.endsWith(series[3])),
                    String.join(" ", series) + " in\n" + text);
        }
        RouterMetrics learned = new RouterMetrics();
        learned.record(
                TraceJson.fromJson(Files.readString(GOLDEN.resolve("fallback_then_escalation.json"))
                        .replace("[ \"no_check_failed\" ]", "[ \"learned:gate-math\" ]")),
                5_000_000,
                "served",
                "acme");
        assertTrue(
                learned.scrape()
                        .lines()
                        .anyMatch(l -> l.startsWith("llm_router_gate_verdicts_total{")
                                && l.contains("judge=\"gate-math\"")
                                && l.contains("verdict=\"accept\"")),
                "a learned gate's verdict is counted under its name");
        RouterMetrics unescalated = new RouterMetrics();
        unescalated.record(
                TraceJson.fromJson(Files.readString(GOLDEN.resolve("explain_pinned.json"))), 1_000_000, "served", "x");
        assertTrue(
                unescalated.scrape().lines().noneMatch(l -> l.startsWith("llm_router_escalated_requests_total{")),
                "a request that did not escalate adds no escalated series (the rules read its absence as 0)");
    }
}
