package dev.llmrouter.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.llmrouter.config.ConfigNode;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.Route;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus rules for a policy, from the metrics {@link RouterMetrics} exports: recording rules over five
 * minutes (and an hour for feedback) for dashboards, and each route's alerts with the bounds and window of its
 * {@code watch} verb, so the alerts follow the policy version they were written from. A rate whose numerator
 * never happened (no escalation yet) is 0, not absent, so a route that never escalates still trips "too
 * greedy". Alerts hold for a tenth of their window, and judge a route only once it had {@code min_requests}
 * requests in the window.
 */
public final class PrometheusRules {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .disable(YAMLGenerator.Feature.SPLIT_LINES));

    /** The recording rules: name, then expression. */
    static final List<Map.Entry<String, String>> RECORDING = List.of(
            Map.entry(
                    "route_outcome:llm_router_requests:rate5m",
                    "sum by (route, outcome) (rate(llm_router_requests_total[5m]))"),
            Map.entry(
                    "route:llm_router_escalation_rate:ratio5m",
                    ratio("llm_router_escalated_requests_total", "", "route", "5m")),
            Map.entry(
                    "route:llm_router_fallback_rate:ratio5m",
                    ratio("llm_router_fallback_requests_total", "", "route", "5m")),
            Map.entry(
                    "model:llm_router_gate_accept_rate:ratio5m",
                    "(sum by (model) (rate(llm_router_gate_verdicts_total{verdict=\"accept\"}[5m]))"
                            + " or sum by (model) (rate(llm_router_gate_verdicts_total[5m])) * 0)\n"
                            + "  / sum by (model) (rate(llm_router_gate_verdicts_total[5m]))"),
            Map.entry(
                    "route_reason:llm_router_escalations:rate5m",
                    "sum by (route, from, to, reason) (rate(llm_router_escalations_total[5m]))"),
            Map.entry(
                    "route_model:llm_router_cost_usd_per_hour:rate5m",
                    "sum by (route, model) (rate(llm_router_cost_usd_total[5m])) * 3600"),
            Map.entry(
                    "route:llm_router_cost_per_successful_task_usd:ratio5m",
                    // every call a route paid for (retries, fallbacks, escalations, explored models served, and
                    // shadow explorations, counted apart) over its successful tasks: served, less the held answers
                    // of failed escalations and the answers callers rated below 0.5
                    "(sum by (route) (rate(llm_router_cost_usd_total[5m]))\n"
                            + "  + (sum by (route) (rate(llm_router_exploration_cost_usd_total{mode=\"shadow\"}[5m]))"
                            + " or sum by (route) (rate(llm_router_cost_usd_total[5m])) * 0))\n"
                            + "  / (sum by (route) (rate(llm_router_requests_total{outcome=\"served\"}[5m]))\n"
                            + "  - (sum by (route) (rate(llm_router_unsuccessful_tasks_total[5m]))"
                            + " or sum by (route) (rate(llm_router_requests_total{outcome=\"served\"}[5m])) * 0))"),
            Map.entry(
                    "provider:llm_router_traffic_share:ratio5m",
                    "sum by (provider) (rate(llm_router_requests_total{outcome=\"served\"}[5m]))\n"
                            + "  / scalar(sum(rate(llm_router_requests_total{outcome=\"served\"}[5m])))"),
            Map.entry(
                    "route_provider:llm_router_traffic_share:ratio5m",
                    "sum by (route, provider) (rate(llm_router_requests_total{outcome=\"served\"}[5m]))\n"
                            + "  / on (route) group_left sum by (route) (rate(llm_router_requests_total{outcome=\"served\"}[5m]))"),
            Map.entry(
                    "route:llm_router_decision_seconds:p50_5m",
                    "histogram_quantile(0.5, sum by (route, le) (rate(llm_router_decision_seconds_bucket[5m])))"),
            Map.entry(
                    "route:llm_router_decision_seconds:p99_5m",
                    "histogram_quantile(0.99, sum by (route, le) (rate(llm_router_decision_seconds_bucket[5m])))"),
            Map.entry(
                    "llm_router_classifier_seconds:p99_5m",
                    "histogram_quantile(0.99, sum by (le) (rate(llm_router_classifier_seconds_bucket[5m])))"),
            Map.entry(
                    "route:llm_router_feedback_score:mean1h",
                    "sum by (route) (rate(llm_router_feedback_score_percent_sum[1h]))\n"
                            + "  / sum by (route) (rate(llm_router_feedback_score_percent_count[1h])) / 100"));

    private PrometheusRules() {}

    /** The rules file for {@code policy}, as YAML that {@code promtool check rules} accepts. */
    public static String of(Policy policy) {
        ObjectNode root = YAML.createObjectNode();
        ArrayNode groups = root.putArray("groups");
        ObjectNode recording = groups.addObject().put("name", "llm-router-recording");
        ArrayNode records = recording.putArray("rules");
        RECORDING.forEach(r -> records.addObject().put("record", r.getKey()).put("expr", r.getValue()));
        ObjectNode alerting = groups.addObject().put("name", "llm-router-alerts");
        ArrayNode alerts = alerting.putArray("rules");
        for (Route route : policy.routes()) {
            routeAlerts(route, policy, alerts);
        }
        alert(
                alerts,
                "LlmRouterTraceLogFailing",
                "increase(llm_router_trace_log_failures_total[5m]) > 0",
                Duration.ZERO,
                Map.of("severity", "critical"),
                "the trace log cannot be written",
                "{{ $value }} trace lines were lost in 5 minutes (the requests were answered). Check the trace"
                        + " directory's disk space and permissions: without the log there is no audit, feedback or"
                        + " retraining data.");
        budgetAlerts(alerts);
        try {
            return "# Prometheus rules for the llm-router policy " + policy.id() + " v" + policy.version()
                    + " (sha256 " + policy.hash() + "),\n# written by `llm-router monitoring rules`: change the"
                    + " policy's watch bounds and write them again rather than editing this file.\n"
                    + YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the rules", e);
        }
    }

    /**
     * The budgets' alerts, from the gauges every replica exports for the shared counters (the largest reading
     * across replicas: they read the same counter), and the shared state's health.
     */
    private static void budgetAlerts(ArrayNode alerts) {
        String used = "max by (budget, scope, kind) (llm_router_budget_used_ratio)";
        alert(
                alerts,
                "LlmRouterBudgetNearLimit",
                used + "\n  >= on (budget) group_left max by (budget) (llm_router_budget_alert_ratio)",
                Duration.ofMinutes(1),
                Map.of("severity", "warning"),
                "budget {{ $labels.budget }} ({{ $labels.scope }}) is near its limit",
                "{{ $value | humanizePercentage }} of the {{ $labels.kind }} limit is used in this window, at or"
                        + " above the budget's alert_at. Once it is used up, the budget refuses (429) or degrades"
                        + " as the policy says.");
        alert(
                alerts,
                "LlmRouterBudgetExhausted",
                used + " >= 1",
                Duration.ZERO,
                Map.of("severity", "critical"),
                "budget {{ $labels.budget }} ({{ $labels.scope }}) is used up",
                "The {{ $labels.kind }} limit is reached for this window: requests it covers are refused with 429"
                        + " budget_exhausted or served by its lower tiers until the window resets.");
        alert(
                alerts,
                "LlmRouterSharedStateDown",
                "min by (instance) (llm_router_state_connected) == 0",
                Duration.ofMinutes(1),
                Map.of("severity", "critical"),
                "{{ $labels.instance }} cannot reach the shared state (Redis)",
                "The replica goes on alone: calls a budget caps are refused (429), cooldowns and the escalation"
                        + " controller are its own until Redis answers again.");
    }

    private static void routeAlerts(Route route, Policy policy, ArrayNode alerts) {
        Route.Watch watch = route.watch();
        String r = "route=\"" + escape(route.name()) + "\"";
        String w = duration(watch.window());
        Duration hold = watch.window().dividedBy(10);
        Map<String, String> labels = Map.of(
                "severity", "warning",
                "route", route.name(),
                "policy", policy.id(),
                "policy_version", Integer.toString(policy.version()));
        String enough =
                "\nand on () sum(increase(llm_router_requests_total{" + r + "}[" + w + "])) >= " + watch.minRequests();
        if (route.cascade().enabled() && route.cascade().maxEscalations() > 0) {
            escalationAlerts(alerts, route, new Scope(r, w, hold, labels, enough));
        }
        alert(
                alerts,
                "LlmRouterFallbackSurge",
                ratio("llm_router_fallback_requests_total", r, "", w) + " > " + ConfigNode.plain(watch.fallbackRate())
                        + enough,
                hold,
                labels,
                "route " + route.name() + " falls back often",
                "{{ $value | humanizePercentage }} of its requests needed a fallback over " + w + " (bound "
                        + percent(watch.fallbackRate()) + "): a provider is failing. See"
                        + " llm_router_fallbacks_total by kind and llm_router_upstream_seconds by model.");
        watch.providerShare()
                .ifPresent(share -> alert(
                        alerts,
                        "LlmRouterProviderConcentration",
                        "sum by (provider) (rate(llm_router_requests_total{" + r + ",outcome=\"served\"}[" + w
                                + "]))\n  / on () group_left sum(rate(llm_router_requests_total{" + r
                                + ",outcome=\"served\"}[" + w + "])) > " + ConfigNode.plain(share) + enough,
                        hold,
                        labels,
                        "route " + route.name() + " leans on provider {{ $labels.provider }}",
                        "{{ $labels.provider }} served {{ $value | humanizePercentage }} of the route's answers over "
                                + w + " (bound " + percent(share) + "): an outage there takes most of the route"
                                + " with it. Check cooldowns and whether other providers' models are filtered out."));
        alert(
                alerts,
                "LlmRouterDecisionSlow",
                "histogram_quantile(0.99, sum by (le) (rate(llm_router_decision_seconds_bucket{" + r + "}[" + w
                        + "]))) > " + ConfigNode.plain(watch.decisionP99().toNanos() / 1e9) + enough,
                hold,
                labels,
                "the router's own time on route " + route.name() + " is high",
                "p99 {{ $value | humanizeDuration }} over " + w + " (bound " + duration(watch.decisionP99())
                        + "). Check llm_router_classifier_seconds, the process's CPU and GC, and long prompts.");
        alert(
                alerts,
                "LlmRouterFeedbackLow",
                "sum(rate(llm_router_feedback_score_percent_sum{" + r + "}[" + w
                        + "]))\n  / sum(rate(llm_router_feedback_score_percent_count{"
                        + r + "}[" + w + "])) / 100 < " + ConfigNode.plain(watch.feedbackScore())
                        + "\nand on () sum(increase(llm_router_feedback_score_percent_count{" + r + "}[" + w + "])) >= "
                        + watch.minRequests(),
                hold,
                labels,
                "callers rate route " + route.name() + "'s answers low",
                "mean feedback {{ $value | printf \"%.2f\" }} over " + w + " (floor "
                        + ConfigNode.plain(watch.feedbackScore())
                        + "). See llm_router_feedback_score_percent by model: if the cheap tier scores low, raise"
                        + " cascade.gate_threshold or quality_floor.");
    }

    /** Too greedy and too costly: the escalation rate against the route's floor and ceiling. */
    private static void escalationAlerts(ArrayNode alerts, Route route, Scope s) {
        Route.Watch watch = route.watch();
        String escalation = ratio("llm_router_escalated_requests_total", s.selector(), "", s.window());
        alert(
                alerts,
                "LlmRouterTooGreedy",
                escalation + " < " + ConfigNode.plain(watch.escalationFloor()) + s.enough(),
                s.hold(),
                s.labels(),
                "route " + route.name() + " escalates almost nothing",
                "{{ $value | humanizePercentage }} of its requests escalated over " + s.window()
                        + ", below its floor of "
                        + percent(watch.escalationFloor()) + ": the gate accepts nearly every cheap answer (or"
                        + " the quality floor starts nearly everything high). Check the answers' quality in the"
                        + " trace log and raise cascade.gate_threshold.");
        alert(
                alerts,
                "LlmRouterTooCostly",
                escalation + " > " + ConfigNode.plain(watch.escalationCeiling()) + s.enough(),
                s.hold(),
                s.labels(),
                "route " + route.name() + " escalates too often",
                "{{ $value | humanizePercentage }} of its requests escalated over " + s.window() + ", above its ceiling"
                        + " of " + percent(watch.escalationCeiling()) + ": those requests pay for two calls."
                        + " Raise cascade.quality_floor or lower quality_gap so more requests start where they"
                        + " end, or check whether the cheap tier degraded.");
    }

    /**
     * What a route's alerts share: its series selector, window, how long they hold, their labels, and the
     * clause that judges the route only with enough requests in the window.
     */
    private record Scope(String selector, String window, Duration hold, Map<String, String> labels, String enough) {}

    private static void alert(
            ArrayNode alerts,
            String name,
            String expr,
            Duration hold,
            Map<String, String> labels,
            String summary,
            String description) {
        ObjectNode alert = alerts.addObject().put("alert", name).put("expr", expr);
        if (!hold.isZero()) {
            alert.put("for", duration(hold));
        }
        ObjectNode l = alert.putObject("labels");
        new java.util.TreeMap<>(labels).forEach(l::put);
        alert.putObject("annotations").put("summary", summary).put("description", description);
    }

    /**
     * The share of requests counted by {@code numerator}: by {@code by} (or in total when empty), among the
     * series matching {@code selector}; 0 where the numerator never happened.
     */
    private static String ratio(String numerator, String selector, String by, String window) {
        String group = by.isEmpty() ? "sum" : "sum by (" + by + ")";
        String matching = selector.isEmpty() ? "" : "{" + selector + "}";
        String requests = group + " (rate(llm_router_requests_total" + matching + "[" + window + "]))";
        String zero = by.isEmpty() ? "vector(0)" : requests + " * 0";
        return "(" + group + " (rate(" + numerator + matching + "[" + window + "])) or " + zero + ")\n  / " + requests;
    }

    /** A duration as Prometheus writes it: 30m, 90s, 500ms. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static String percent(double share) {
        return ConfigNode.plain(Math.round(share * 1000) / 10.0) + "%";
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
