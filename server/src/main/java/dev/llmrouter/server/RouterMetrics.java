package dev.llmrouter.server;

import dev.llmrouter.gate.GateScore;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.Route;
import dev.llmrouter.stats.AttemptSteps;
import dev.llmrouter.stats.StatsSnapshot;
import dev.llmrouter.stats.TraceStats;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.DecisionTrace.AttemptView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The router's Prometheus metrics, read off each request's decision trace. Every series of a routed request
 * carries {@code policy_version} and {@code classifier}, so a dashboard can split before and after a change;
 * only the series of the live policy version and the one before it are kept ({@link #policyInForce}), so
 * reloads do not grow {@code /metrics} without bound.
 */
final class RouterMetrics {
    /** Policy versions whose series are kept: the live one and the one it replaced. */
    static final int KEPT_POLICY_VERSIONS = 2;

    /** Buckets for the router's own time, which is meant to stay well under a millisecond. */
    private static final Duration[] FAST = {
        Duration.ofNanos(25_000),
        Duration.ofNanos(50_000),
        Duration.ofNanos(100_000),
        Duration.ofNanos(250_000),
        Duration.ofNanos(500_000),
        Duration.ofMillis(1),
        Duration.ofMillis(2),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5)
    };
    /** Buckets for upstream calls, from a local model to a long generation. */
    private static final Duration[] UPSTREAM = {
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(60),
        Duration.ofSeconds(120)
    };

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Deque<String> policyVersions = new ArrayDeque<>();
    private final AtomicInteger policyVersion = new AtomicInteger();
    /** The same counts in one-minute buckets over the last day, for {@code /admin/stats} and the dashboard. */
    private final TraceStats windows = new TraceStats(24 * 60, "route");

    private final Clock clock = Clock.systemUTC();
    private volatile Map<String, Map<String, Double>> bounds = Map.of();

    private final MultiGauge watchBounds = MultiGauge.builder("llm.router.watch.bound")
            .description("The live policy's watch bounds, by route and bound (escalation_floor, escalation_ceiling,"
                    + " fallback_rate, decision_p99_seconds, feedback_score, provider_share): what dashboards draw"
                    + " the rates against")
            .register(registry);

    private final MultiGauge budgetRemaining = MultiGauge.builder("llm.router.budget.remaining.usd")
            .description("What a budget cap has left in its current window, by budget and scope (USD)")
            .register(registry);
    private final MultiGauge budgetUsed = MultiGauge.builder("llm.router.budget.used.ratio")
            .description("A budget's use against its limit in the current window, by budget, scope and kind"
                    + " (cap_usd, quota_requests, quota_spend): 1 is exhausted")
            .register(registry);
    private final MultiGauge budgetAlertAt = MultiGauge.builder("llm.router.budget.alert.ratio")
            .description("The used ratio at which each budget's alert fires (the policy's alert_at)")
            .register(registry);
    private final java.util.concurrent.atomic.AtomicInteger stateConnected =
            new java.util.concurrent.atomic.AtomicInteger(1);

    RouterMetrics() {
        Gauge.builder("llm.router.state.connected", stateConnected, AtomicInteger::get)
                .description("1 while the shared state (Redis) answers, 0 while this replica goes on alone (always 1"
                        + " in memory)")
                .register(registry);
        Gauge.builder("llm.router.policy.version", policyVersion, AtomicInteger::get)
                .description("The version of the policy in force (0 while loading): a change marks a new policy")
                .register(registry);
    }

    /** The classifier in use, as a series whose label names it (value 1): a new label marks a new classifier. */
    synchronized void classifierInUse(String id) {
        windows.marker(clock.instant(), "classifier", id);
        if (classifierGauge != null) {
            registry.remove(classifierGauge);
        }
        classifierGauge = Gauge.builder("llm.router.classifier.info", () -> 1)
                .description("The classifier in use, by id (always 1; one series, the classifier in force)")
                .tags("classifier", id)
                .register(registry);
    }

    private Gauge classifierGauge;

    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicLong> thresholds =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The gate threshold in force on each route, as its last gated request used it. */
    Map<String, Double> gateThresholds() {
        Map<String, Double> out = new java.util.TreeMap<>();
        thresholds.forEach((route, bits) -> out.put(route, Double.longBitsToDouble(bits.get())));
        return out;
    }

    /** The gate threshold in force on a route, as its last gated request used it (a controller moves it). */
    private void gateThreshold(String route, double threshold) {
        thresholds
                .computeIfAbsent(route, r -> {
                    java.util.concurrent.atomic.AtomicLong bits = new java.util.concurrent.atomic.AtomicLong();
                    Gauge.builder("llm.router.gate.threshold", bits, b -> Double.longBitsToDouble(b.get()))
                            .description("The gate threshold in force on a route (moved by its"
                                    + " target_escalation_rate controller, else the policy's)")
                            .tags("route", r)
                            .register(registry);
                    return bits;
                })
                .set(Double.doubleToLongBits(threshold));
    }

    /**
     * Records one routed request: its outcome, attempts, escalations, fallbacks, tokens, cost and timings.
     * {@code provider} is the served model's provider ("none" when no model served). The same request goes to
     * the rolling windows of {@link #stats}.
     */
    void record(DecisionTrace trace, long totalNanos, String outcome, String provider) {
        Tags common = Tags.of(
                "policy_version", Integer.toString(trace.policy().version()),
                "classifier", trace.classifier().id());
        String route = trace.route().orElse("none");
        String intent = trace.classification().map(c -> c.topIntent()).orElse("none");
        if (outcome.equals("served") && trace.outcome() == DecisionTrace.Outcome.SERVED_UNESCALATED) {
            unsuccessful(route, "gate");
        }
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
                        "provider",
                        provider,
                        "outcome",
                        outcome)
                .register(registry)
                .increment();
        if (trace.escalated()) {
            Counter.builder("llm.router.escalated.requests")
                    .description("Requests that escalated at least once, by route: the numerator of the escalation"
                            + " rate")
                    .tags(common)
                    .tags("route", route)
                    .register(registry)
                    .increment();
        }
        trace.candidates().stream().filter(c -> !c.passed()).forEach(c -> Counter.builder(
                        "llm.router.filter.rejections")
                .description("Candidates a policy filter removed, by reason")
                .tags(common)
                .tags("reason", c.reason().orElse("unknown"))
                .register(registry)
                .increment());
        if (trace.outcome() == DecisionTrace.Outcome.SERVED_UNESCALATED) {
            Counter.builder("llm.router.escalation.failures")
                    .description("Requests whose escalation failed and which were served the answer already received")
                    .tags(common)
                    .tags("route", route, "model", trace.servedBy().orElse("none"))
                    .register(registry)
                    .increment();
        }
        trace.cooldowns().forEach(c -> Counter.builder("llm.router.cooldowns")
                .description("Models put in cooldown after consecutive failures, by model")
                .tags(common)
                .tags("model", c.model())
                .register(registry)
                .increment());
        trace.classification().ifPresent(c -> familiarity(c, common, route));
        trace.exploration().ifPresent(e -> explorations(e, trace, route));
        trace.attempts().stream()
                .flatMap(a -> a.gate().stream())
                .findFirst()
                .ifPresent(g -> gateThreshold(route, g.threshold()));
        double upstreamMs = attempts(trace, common, route);
        long decisionNanos = Math.max(0, totalNanos - (long) (upstreamMs * 1e6));
        Timer.builder("llm.router.decision")
                .description("Time the router adds to a request: its total minus the upstream calls, by route")
                .tags(common)
                .tags("route", route)
                .serviceLevelObjectives(FAST)
                .register(registry)
                .record(Duration.ofNanos(decisionNanos));
        windows.add(trace, clock.instant(), provider, OptionalLong.of(decisionNanos));
    }

    /**
     * A request of an exploring route drawn for exploration: explored (in serve mode, its whole cost is
     * exploration's; a shadow call's cost is counted when it is made, by {@link #explored}) or skipped, and why.
     */
    private void explorations(DecisionTrace.ExplorationView e, DecisionTrace trace, String route) {
        if (e.model().isEmpty() && e.skipped().isEmpty()) {
            return;
        }
        Counter.builder("llm.router.explorations")
                .description("Requests drawn for exploration, by route, mode and result (explored, or the reason it"
                        + " was skipped: no_other_tier, cost_cap)")
                .tags(
                        "route",
                        route,
                        "mode",
                        e.mode(),
                        "result",
                        e.model().isPresent() ? "explored" : e.skipped().get())
                .register(registry)
                .increment();
        if (e.model().isPresent() && e.mode().equals("serve")) {
            explorationCost(route, e.model().get(), "serve", trace.totalCostUsd());
        }
    }

    /** A shadow exploration's call: its cost, and the gate's verdict on its answer (or its error). */
    void explored(dev.llmrouter.engine.ExploredAnswer a) {
        explorationCost(a.route(), a.model(), "shadow", a.costUsd());
        Counter.builder("llm.router.exploration.verdicts")
                .description("Shadow explorations by route, explored model and the gate's verdict on its answer"
                        + " (accept, escalate) or error")
                .tags(
                        "route",
                        a.route(),
                        "model",
                        a.model(),
                        "verdict",
                        a.gate().map(g -> g.verdict().key()).orElse("error"))
                .register(registry)
                .increment();
    }

    /** A request served while a canary runs, by arm (control: the live router; canary: the candidate). */
    void canaryRequest(Canary.Arm arm, String route, String outcome) {
        Counter.builder("llm.router.canary.requests")
                .description("Requests served while a canary runs, by arm (control, canary), route and outcome")
                .tags("arm", arm.name().toLowerCase(java.util.Locale.ROOT), "route", route, "outcome", outcome)
                .register(registry)
                .increment();
    }

    /** A candidate's decision beside the live one: agreement, and each side's predicted success and cost. */
    void shadowed(Shadow.Side live, Shadow.Side candidate) {
        Counter.builder("llm.router.shadow.decisions")
                .description("Requests a shadow candidate decided beside the live router, by the live route and whether"
                        + " both chose the same start model")
                .tags(
                        "route",
                        live.route(),
                        "agree",
                        Boolean.toString(live.start().equals(candidate.start())))
                .register(registry)
                .increment();
        for (Shadow.Side side : new Shadow.Side[] {live, candidate}) {
            String which = side == live ? "live" : "candidate";
            Counter.builder("llm.router.shadow.predicted.cost.usd")
                    .description("Predicted cost of the start model each side chose, by the live route and side"
                            + " (divide by shadow decisions for the mean)")
                    .tags("route", live.route(), "side", which)
                    .register(registry)
                    .increment(side.predictedCostUsd());
            if (!Double.isNaN(side.predictedSuccess())) {
                Counter.builder("llm.router.shadow.predicted.success")
                        .description("Predicted success of the start model each side chose, summed, by the live route"
                                + " and side")
                        .tags("route", live.route(), "side", which)
                        .register(registry)
                        .increment(side.predictedSuccess());
            }
        }
    }

    private void explorationCost(String route, String model, String mode, double usd) {
        Counter.builder("llm.router.exploration.cost.usd")
                .description("What exploration cost, by route, explored model and mode (USD; a serve-mode request's"
                        + " cost is also in llm_router_cost_usd_total, a shadow call's only here)")
                .tags("route", route, "model", model, "mode", mode)
                .register(registry)
                .increment(usd);
    }

    /** How familiar the request was to the learned classifier, and whether that started it higher. */
    private void familiarity(DecisionTrace.ClassificationView c, Tags common, String route) {
        c.familiarity().ifPresent(f -> {
            // in percent: Micrometer's fixed-boundary histogram counts no value below 1 in its buckets
            DistributionSummary.builder("llm.router.familiarity.percent")
                    .description("How familiar requests are to the learned classifier (the share of their features"
                            + " it learned from, in percent), by route; a falling mean is traffic unlike the"
                            + " training data")
                    .tags(common)
                    .tags("route", route)
                    .serviceLevelObjectives(30, 50, 60, 70, 80, 90)
                    .register(registry)
                    .record(100 * f);
            if (c.unfamiliar()) {
                Counter.builder("llm.router.unfamiliar")
                        .description("Requests started one tier higher by the route's unfamiliar_below")
                        .tags(common)
                        .tags("route", route)
                        .register(registry)
                        .increment();
            }
        });
    }

    /** Counts each attempt's latency, tokens, cost, gate verdict, escalation and fallback; returns their total ms. */
    private double attempts(DecisionTrace trace, Tags common, String route) {
        double upstreamMs = 0;
        for (AttemptView a : trace.attempts()) {
            upstreamMs += a.latencyMs();
            Timer.builder("llm.router.upstream")
                    .description("Upstream call latency, by model")
                    .tags(common)
                    .tags("model", a.model(), "outcome", a.error().isPresent() ? "error" : "ok")
                    .serviceLevelObjectives(UPSTREAM)
                    .register(registry)
                    .record(Duration.ofNanos((long) (a.latencyMs() * 1e6)));
            if (a.error().isEmpty()) {
                tokens(common, a.model(), "input", a.inputTokens());
                tokens(common, a.model(), "output", a.outputTokens());
                Counter.builder("llm.router.cost.usd")
                        .description("Upstream cost in USD at catalog prices, by route and model")
                        .tags(common)
                        .tags("route", route, "model", a.model())
                        .register(registry)
                        .increment(a.costUsd());
            }
            a.gate().ifPresent(g -> Counter.builder("llm.router.gate.verdicts")
                    .description("Answers the cascade's gate scored, by route, model, verdict (accept, escalate,"
                            + " final) and judge (the learned gate, or rules where none learned from answers like it):"
                            + " the accept rate per model")
                    .tags(common)
                    .tags(
                            "route",
                            route,
                            "model",
                            a.model(),
                            "verdict",
                            g.verdict().key(),
                            "judge",
                            GateScore.judge(g.reasons()))
                    .register(registry)
                    .increment());
        }
        boolean fellBack = false;
        for (AttemptSteps step : AttemptSteps.of(trace)) {
            if (step.escalation()) {
                Counter.builder("llm.router.escalations")
                        .description("Escalations to a stronger tier, by from, to and the cause the gate found")
                        .tags(common)
                        .tags(
                                "route",
                                route,
                                "from",
                                step.from().model(),
                                "to",
                                step.to().model(),
                                "reason",
                                step.cause())
                        .register(registry)
                        .increment();
            } else {
                Counter.builder("llm.router.fallbacks")
                        .description("Calls made because the previous one failed, by route and its error kind")
                        .tags(common)
                        .tags("route", route, "kind", step.cause())
                        .register(registry)
                        .increment();
                fellBack = true;
            }
        }
        if (fellBack) {
            Counter.builder("llm.router.fallback.requests")
                    .description("Requests that needed at least one fallback (a provider call failed), by route:"
                            + " the numerator of the fallback rate")
                    .tags(common)
                    .tags("route", route)
                    .register(registry)
                    .increment();
        }
        return upstreamMs;
    }

    /** Records one classification's duration. */
    void classified(String policyVersion, String classifier, long nanos) {
        Timer.builder("llm.router.classifier")
                .description("Time to classify a request")
                .tags("policy_version", policyVersion, "classifier", classifier)
                .serviceLevelObjectives(FAST)
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    /**
     * Records a caller's feedback score (0 to 1) on an answer of {@code route} served by {@code model};
     * {@code successSoFar}: the request counted as a successful task until this feedback.
     */
    void feedback(String route, String model, double score, boolean successSoFar) {
        // in percent: Micrometer's fixed-boundary histogram counts no value below 1 in its buckets
        DistributionSummary.builder("llm.router.feedback.score.percent")
                .description("Callers' feedback scores in percent (0 bad to 100 good), by route and the model that"
                        + " answered")
                .tags("route", route, "model", model)
                .serviceLevelObjectives(10, 20, 30, 40, 50, 60, 70, 80, 90, 100)
                .register(registry)
                .record(100 * score);
        windows.feedback(clock.instant(), route, score, successSoFar);
        if (successSoFar && score < dev.llmrouter.stats.TraceStats.FAILED_BELOW) {
            unsuccessful(route, "feedback");
        }
    }

    /**
     * A served request that is not a successful task: the held answer of a failed escalation ({@code gate}), or
     * one a caller rated below 0.5 ({@code feedback}).
     */
    private void unsuccessful(String route, String reason) {
        Counter.builder("llm.router.unsuccessful.tasks")
                .description("Served requests that are not successful tasks, by route and reason: gate (the held"
                        + " answer of a failed escalation) or feedback (rated below 0.5)")
                .tags("route", route, "reason", reason)
                .register(registry)
                .increment();
    }

    /** Counts an error response the server sent (bad input, keys, limits, refusals, upstream failures). */
    void httpError(int status, String code) {
        Counter.builder("llm.router.http.errors")
                .description("Error responses, by HTTP status and error code")
                .tags("status", Integer.toString(status), "code", code)
                .register(registry)
                .increment();
    }

    /** Counts an admin change, accepted or refused. */
    void adminChange(String action, String result) {
        Counter.builder("llm.router.admin.changes")
                .description("Admin changes (policy and classifier replacements), by action and result")
                .tags("action", action, "result", result)
                .register(registry)
                .increment();
    }

    /** Exposes the trace log's write failures, deletions and size. */
    void traceLog(TraceLog log) {
        FunctionCounter.builder("llm.router.trace.log.failures", log, TraceLog::failures)
                .description("Trace log lines that could not be written (the requests were answered)")
                .register(registry);
        FunctionCounter.builder("llm.router.trace.log.deleted.files", log, TraceLog::deletedFiles)
                .description("Trace log files deleted by the retention limits")
                .register(registry);
        Gauge.builder("llm.router.trace.log.bytes", log, TraceLog::bytes)
                .description("Size of the trace log files at the last retention check")
                .baseUnit("bytes")
                .register(registry);
    }

    /**
     * A policy version went live: the series of versions older than the one it replaced are removed (a
     * request still in flight under an older version adds its series back until the next change).
     */
    synchronized void policyInForce(Policy policy) {
        int version = policy.version();
        policyVersion.set(version);
        Map<String, Map<String, Double>> byRoute = new TreeMap<>();
        for (Route route : policy.routes()) {
            Route.Watch w = route.watch();
            Map<String, Double> b = new TreeMap<>();
            b.put("escalation_floor", w.escalationFloor());
            b.put("escalation_ceiling", w.escalationCeiling());
            b.put("fallback_rate", w.fallbackRate());
            b.put("decision_p99_seconds", w.decisionP99().toNanos() / 1e9);
            b.put("feedback_score", w.feedbackScore());
            w.providerShare().ifPresent(share -> b.put("provider_share", share));
            byRoute.put(route.name(), Map.copyOf(b));
        }
        bounds = Map.copyOf(byRoute);
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        bounds.forEach((route, b) -> b.forEach(
                (bound, value) -> rows.add(MultiGauge.Row.of(Tags.of("route", route, "bound", bound), value))));
        watchBounds.register(rows, true);
        windows.marker(clock.instant(), "policy", policy.id() + " v" + version);
        String v = Integer.toString(version);
        policyVersions.remove(v);
        policyVersions.addLast(v);
        while (policyVersions.size() > KEPT_POLICY_VERSIONS) {
            policyVersions.removeFirst();
        }
        for (Meter meter : registry.getMeters()) {
            String tagged = meter.getId().getTag("policy_version");
            if (tagged != null && !policyVersions.contains(tagged) && !Objects.equals(tagged, "")) {
                registry.remove(meter);
            }
        }
    }

    private void tokens(Tags common, String model, String direction, int count) {
        Counter.builder("llm.router.tokens")
                .description("Tokens used upstream, by model and direction")
                .tags(common)
                .tags("model", model, "direction", direction)
                .register(registry)
                .increment(count);
    }

    /** The live policy's watch bounds: by route, by bound name. */
    Map<String, Map<String, Double>> watchBounds() {
        return bounds;
    }

    /** The figures of the {@code window} ending now, from the rolling one-minute buckets. */
    StatsSnapshot stats(Duration window) {
        return windows.snapshot(clock.instant(), window);
    }

    /** The Prometheus text exposition. */
    /** Reads the budgets' counters and the state's health from the live router, before a scrape. */
    void state(dev.llmrouter.engine.Router router) {
        List<dev.llmrouter.engine.BudgetStatus> status = router.budgets();
        budgetRemaining.register(
                status.stream()
                        .filter(s -> s.kind().equals("cap_usd"))
                        .map(s -> MultiGauge.Row.of(
                                Tags.of("budget", s.budget(), "scope", s.scope()), Math.max(0, s.limit() - s.used())))
                        .toList(),
                true);
        budgetUsed.register(
                status.stream()
                        .map(s -> MultiGauge.Row.of(
                                Tags.of("budget", s.budget(), "scope", s.scope(), "kind", s.kind()), s.usedRatio()))
                        .toList(),
                true);
        budgetAlertAt.register(
                router.policy().budgets().stream()
                        .map(b -> MultiGauge.Row.of(Tags.of("budget", b.name()), b.alertAt()))
                        .toList(),
                true);
        stateConnected.set(router.state().connected() ? 1 : 0);
    }

    String scrape() {
        return registry.scrape();
    }
}
