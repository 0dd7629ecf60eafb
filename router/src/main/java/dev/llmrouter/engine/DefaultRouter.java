package dev.llmrouter.engine;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.gate.AnswerGate;
import dev.llmrouter.gate.GateScore;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.Route;
import dev.llmrouter.provider.Completion;
import dev.llmrouter.provider.ProviderCall;
import dev.llmrouter.provider.ProviderClient;
import dev.llmrouter.provider.ProviderFailure;
import dev.llmrouter.provider.StreamSink;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.TokenEstimate;
import dev.llmrouter.trace.DecisionTrace;
import java.util.List;
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
    private final Exploration exploration;
    private final ThresholdControl thresholds;
    private final RouterState state;
    private final Budgets budgets;
    private final Planner planner;

    DefaultRouter(
            Catalog catalog,
            Policy policy,
            Classifier classifier,
            AnswerGate gate,
            Map<String, ProviderClient> providers,
            RouterClock clock,
            Supplier<String> traceIds,
            Cooldowns cooldowns,
            Exploration exploration,
            RouterState state) {
        this.catalog = catalog;
        this.state = state;
        this.budgets = new Budgets(policy.budgets(), state, clock);
        this.cooldowns = cooldowns;
        this.exploration = exploration;
        this.thresholds = new ThresholdControl(state);
        this.policy = policy;
        this.classifier = classifier;
        this.gate = gate;
        this.providers = providers;
        this.clock = clock;
        this.traceIds = traceIds;
        this.planner = new Planner(catalog, policy, classifier, cooldowns);
    }

    @Override
    public List<BudgetStatus> budgets() {
        return budgets.status(clock.now());
    }

    @Override
    public RouterState state() {
        return state;
    }

    @Override
    public Router withPolicy(Policy newPolicy) {
        Router.Builder.checkIntents(newPolicy, classifier);
        return new DefaultRouter(
                catalog, newPolicy, classifier, gate, providers, clock, traceIds, cooldowns, exploration, state);
    }

    @Override
    public Router withModels(DecisionModels models) {
        Router.Builder.checkIntents(policy, models.classifier());
        return new DefaultRouter(
                catalog,
                policy,
                models.classifier(),
                models.gate(),
                providers,
                clock,
                traceIds,
                cooldowns,
                exploration,
                state);
    }

    @Override
    public DecisionTrace explain(ChatRequest request, Target target) {
        return explain(request, target, traceIds.get());
    }

    @Override
    public DecisionTrace explain(ChatRequest request, Target target, String traceId) {
        int promptTokens = TokenEstimate.promptTokens(request);
        TraceRecorder trace = recorder(request, promptTokens, traceId);
        return switch (planner.plan(request, target, promptTokens, trace, clock.now(), budgets, NO_KEY)) {
            case Planner.Ready ready ->
                trace.finish(DecisionTrace.Outcome.EXPLAINED, Optional.empty(), Optional.empty());
            case Planner.Refused refused ->
                trace.finish(outcomeOf(refused), Optional.empty(), Optional.of(describe(refused)));
        };
    }

    @Override
    public RouteResult route(ChatRequest request, Target target, StreamSink sink) {
        return route(request, target, sink, traceIds.get(), NO_KEY);
    }

    @Override
    public RouteResult route(ChatRequest request, Target target, StreamSink sink, String traceId, String apiKey) {
        int promptTokens = TokenEstimate.promptTokens(request);
        TraceRecorder trace = recorder(request, promptTokens, traceId);
        return switch (planner.plan(request, target, promptTokens, trace, clock.now(), budgets, apiKey)) {
            case Planner.Ready ready -> run(ready.plan(), trace, sink, traceId);
            case Planner.Refused refused ->
                new RouteResult.Refused(
                        refused.reasons(),
                        trace.finish(outcomeOf(refused), Optional.empty(), Optional.of(describe(refused))),
                        refused.budgetResetsAt());
        };
    }

    private static DecisionTrace.Outcome outcomeOf(Planner.Refused refused) {
        return refused.budgetResetsAt().isPresent()
                ? DecisionTrace.Outcome.BUDGET_EXHAUSTED
                : DecisionTrace.Outcome.NO_ELIGIBLE_MODEL;
    }

    /**
     * Runs the plan's chain; on an exploring route, records what exploration did, and in serve mode starts the
     * chain at the explored model instead (its cost counted against the route's exploration cap).
     */
    private RouteResult run(Plan plan, TraceRecorder trace, StreamSink sink, String traceId) {
        Optional<Exploration.Choice> choice = exploration.choose(plan, traceId, cooldowns, clock.now());
        choice.ifPresent(c -> trace.exploration(c.view()));
        boolean serve = plan.route().explore().mode() == Route.Explore.Mode.SERVE
                && choice.flatMap(Exploration.Choice::model).isPresent();
        Plan started = serve
                ? new Plan(
                        plan.request(),
                        plan.route(),
                        plan.classification(),
                        plan.promptTokens(),
                        plan.ladder(),
                        choice.get().model().get(),
                        plan.budgets())
                : plan;
        RouteResult result = new AttemptChain(
                        started, trace, catalog, providers, gate, clock, cooldowns, thresholds, sink, traceId)
                .run();
        if (serve) {
            exploration.spend(plan.route().name(), result.trace().totalCostUsd(), clock.now());
        }
        return result;
    }

    @Override
    public Optional<ExploredAnswer> explore(ChatRequest request, DecisionTrace routed) {
        Optional<DecisionTrace.ExplorationView> view = routed.exploration();
        Optional<Route> route = routed.route().flatMap(name -> policy.routes().stream()
                .filter(r -> r.name().equals(name))
                .findFirst());
        Optional<ModelSpec> model =
                view.flatMap(DecisionTrace.ExplorationView::model).flatMap(catalog::model);
        if (view.isEmpty()
                || !view.get().mode().equals("shadow")
                || route.isEmpty()
                || model.isEmpty()
                || view.get().propensity().isEmpty()) {
            return Optional.empty();
        }
        Mutator.Mutated mutated = Mutator.apply(request.withStream(false), route.get(), model.get());
        ProviderCall call = new ProviderCall(
                model.get().upstreamId(),
                mutated.request(),
                catalog.providerOf(model.get()).timeouts());
        long started = clock.nanoTime();
        Completion answer;
        try {
            answer = providers.get(model.get().provider()).complete(call);
        } catch (ProviderFailure failure) {
            return Optional.of(new ExploredAnswer(
                    routed.traceId(),
                    route.get().name(),
                    model.get().id(),
                    view.get().propensity().get(),
                    TraceRecorder.round((clock.nanoTime() - started) / 1e6),
                    0,
                    0,
                    0,
                    Optional.empty(),
                    Optional.of(AttemptChain.errorView(failure))));
        }
        double latency = TraceRecorder.round((clock.nanoTime() - started) / 1e6);
        double cost = TraceRecorder.round(
                model.get().costUsd(answer.usage().inputTokens(), answer.usage().outputTokens()));
        exploration.spend(route.get().name(), cost, clock.now());
        GateScore score = gate.score(mutated.request(), classifier.classify(request), answer);
        double threshold = thresholds.threshold(route.get());
        DecisionTrace.GateView gated = new DecisionTrace.GateView(
                TraceRecorder.round(score.score()),
                threshold,
                score.score() >= threshold ? DecisionTrace.Verdict.ACCEPT : DecisionTrace.Verdict.ESCALATE,
                score.reasons());
        return Optional.of(new ExploredAnswer(
                routed.traceId(),
                route.get().name(),
                model.get().id(),
                view.get().propensity().get(),
                latency,
                answer.usage().inputTokens(),
                answer.usage().outputTokens(),
                cost,
                Optional.of(gated),
                Optional.empty()));
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
