package dev.llmrouter.server;

import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.DecisionTrace.AttemptView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * The router's Prometheus metrics, read off each request's decision trace. Every series carries
 * {@code policy_version} and {@code classifier}, so a dashboard can split before and after a change.
 */
final class RouterMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /** Records one request: its outcome, attempts, escalations, fallbacks, tokens, cost and timings. */
    void record(DecisionTrace trace, long totalNanos, String outcome) {
        Tags common = Tags.of(
                "policy_version", Integer.toString(trace.policy().version()),
                "classifier", trace.classifier().id());
        String route = trace.route().orElse("none");
        String intent = trace.classification().map(c -> c.topIntent()).orElse("none");
        Counter.builder("llm.router.requests")
                .description("Requests routed, by route, intent, served model and outcome")
                .tags(common)
                .tags(
                        "route",
                        route,
                        "intent",
                        intent,
                        "model",
                        trace.servedBy().orElse("none"),
                        "outcome",
                        outcome)
                .register(registry)
                .increment();
        trace.candidates().stream().filter(c -> !c.passed()).forEach(c -> Counter.builder(
                        "llm.router.filter.rejections")
                .description("Candidates a policy filter removed, by reason")
                .tags(common)
                .tags("reason", c.reason().orElse("unknown"))
                .register(registry)
                .increment());
        double upstreamMs = 0;
        AttemptView previous = null;
        for (AttemptView a : trace.attempts()) {
            upstreamMs += a.latencyMs();
            Timer.builder("llm.router.upstream")
                    .description("Upstream call latency, by model")
                    .tags(common)
                    .tags("model", a.model(), "outcome", a.error().isPresent() ? "error" : "ok")
                    .publishPercentileHistogram()
                    .register(registry)
                    .record(Duration.ofNanos((long) (a.latencyMs() * 1e6)));
            if (a.error().isEmpty()) {
                tokens(common, a.model(), "input", a.inputTokens());
                tokens(common, a.model(), "output", a.outputTokens());
                Counter.builder("llm.router.cost.usd")
                        .description("Upstream cost in USD at catalog prices, by model")
                        .tags(common)
                        .tags("model", a.model())
                        .register(registry)
                        .increment(a.costUsd());
            }
            if (a.gate().isPresent() && a.gate().get().verdict().equals("accept")) {
                Counter.builder("llm.router.cascade.accepted")
                        .description("Answers the cascade's gate accepted, by route and model")
                        .tags(common)
                        .tags("route", route, "model", a.model())
                        .register(registry)
                        .increment();
            }
            if (previous != null && a.role().equals("escalation")) {
                String reason = previous.gate()
                        .flatMap(g -> g.reasons().stream().findFirst())
                        .orElse("gate_below_threshold");
                Counter.builder("llm.router.escalations")
                        .description("Escalations to a stronger tier, by from, to and the gate's reason")
                        .tags(common)
                        .tags("route", route, "from", previous.model(), "to", a.model(), "reason", reason)
                        .register(registry)
                        .increment();
            }
            if (previous != null && previous.error().isPresent() && !a.role().equals("escalation")) {
                Counter.builder("llm.router.fallbacks")
                        .description("Calls made because the previous one failed, by its error kind")
                        .tags(common)
                        .tags("kind", previous.error().get().kind())
                        .register(registry)
                        .increment();
            }
            previous = a;
        }
        long decisionNanos = Math.max(0, totalNanos - (long) (upstreamMs * 1e6));
        Timer.builder("llm.router.decision")
                .description("Time the router adds to a request: its total minus the upstream calls")
                .tags(common)
                .publishPercentileHistogram()
                .register(registry)
                .record(Duration.ofNanos(decisionNanos));
    }

    /** Records one classification's duration. */
    void classified(String policyVersion, String classifier, long nanos) {
        Timer.builder("llm.router.classifier")
                .description("Time to classify a request")
                .tags("policy_version", policyVersion, "classifier", classifier)
                .publishPercentileHistogram()
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    private void tokens(Tags common, String model, String direction, int count) {
        Counter.builder("llm.router.tokens")
                .description("Tokens used upstream, by model and direction")
                .tags(common)
                .tags("model", model, "direction", direction)
                .register(registry)
                .increment(count);
    }

    /** The Prometheus text exposition. */
    String scrape() {
        return registry.scrape();
    }
}
