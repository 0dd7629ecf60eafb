package dev.llmrouter.engine;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.gate.AnswerGate;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.provider.ProviderClient;
import dev.llmrouter.provider.StreamSink;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.TokenEstimate;
import dev.llmrouter.trace.DecisionTrace;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The one decision path: {@link #explain} and {@link #route} share the planner and the trace recorder. */
final class DefaultRouter implements Router {
    private final Catalog catalog;
    private final Policy policy;
    private final Classifier classifier;
    private final AnswerGate gate;
    private final Map<String, ProviderClient> providers;
    private final RouterClock clock;
    private final Supplier<String> traceIds;
    private final Cooldowns cooldowns;
    private final Planner planner;

    DefaultRouter(
            Catalog catalog,
            Policy policy,
            Classifier classifier,
            AnswerGate gate,
            Map<String, ProviderClient> providers,
            RouterClock clock,
            Supplier<String> traceIds,
            Cooldowns cooldowns) {
        this.catalog = catalog;
        this.cooldowns = cooldowns;
        this.policy = policy;
        this.classifier = classifier;
        this.gate = gate;
        this.providers = providers;
        this.clock = clock;
        this.traceIds = traceIds;
        this.planner = new Planner(catalog, policy, classifier, cooldowns);
    }

    @Override
    public Router withPolicy(Policy newPolicy) {
        Router.Builder.checkIntents(newPolicy, classifier);
        return new DefaultRouter(catalog, newPolicy, classifier, gate, providers, clock, traceIds, cooldowns);
    }

    @Override
    public Router withModels(DecisionModels models) {
        Router.Builder.checkIntents(policy, models.classifier());
        return new DefaultRouter(
                catalog, policy, models.classifier(), models.gate(), providers, clock, traceIds, cooldowns);
    }

    @Override
    public DecisionTrace explain(ChatRequest request, Target target) {
        return explain(request, target, traceIds.get());
    }

    @Override
    public DecisionTrace explain(ChatRequest request, Target target, String traceId) {
        int promptTokens = TokenEstimate.promptTokens(request);
        TraceRecorder trace = recorder(request, promptTokens, traceId);
        return switch (planner.plan(request, target, promptTokens, trace, clock.now())) {
            case Planner.Ready ready ->
                trace.finish(DecisionTrace.Outcome.EXPLAINED, Optional.empty(), Optional.empty());
            case Planner.Refused refused ->
                trace.finish(DecisionTrace.Outcome.NO_ELIGIBLE_MODEL, Optional.empty(), Optional.of(describe(refused)));
        };
    }

    @Override
    public RouteResult route(ChatRequest request, Target target, StreamSink sink) {
        return route(request, target, sink, traceIds.get());
    }

    @Override
    public RouteResult route(ChatRequest request, Target target, StreamSink sink, String traceId) {
        int promptTokens = TokenEstimate.promptTokens(request);
        TraceRecorder trace = recorder(request, promptTokens, traceId);
        return switch (planner.plan(request, target, promptTokens, trace, clock.now())) {
            case Planner.Ready ready ->
                new AttemptChain(ready.plan(), trace, catalog, providers, gate, clock, cooldowns, sink).run();
            case Planner.Refused refused ->
                new RouteResult.Refused(
                        refused.reasons(),
                        trace.finish(
                                DecisionTrace.Outcome.NO_ELIGIBLE_MODEL,
                                Optional.empty(),
                                Optional.of(describe(refused))));
        };
    }

    private TraceRecorder recorder(ChatRequest request, int promptTokens, String traceId) {
        return new TraceRecorder(
                java.util.Objects.requireNonNull(traceId, "traceId"),
                clock.now(),
                policy,
                catalog,
                classifier.info(),
                gate.info(),
                request,
                promptTokens);
    }

    private static String describe(Planner.Refused refused) {
        return "no model may serve this request: " + String.join("; ", refused.reasons());
    }

    @Override
    public Policy policy() {
        return policy;
    }

    @Override
    public Catalog catalog() {
        return catalog;
    }

    @Override
    public Classifier classifier() {
        return classifier;
    }
}
