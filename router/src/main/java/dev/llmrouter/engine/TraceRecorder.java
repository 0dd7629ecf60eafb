package dev.llmrouter.engine;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.request.Capability;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.DecisionTrace.AttemptView;
import dev.llmrouter.trace.DecisionTrace.CandidateView;
import dev.llmrouter.trace.DecisionTrace.ClassificationView;
import dev.llmrouter.trace.DecisionTrace.CooldownView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Collects the trace as the decision path runs: each step appends what it did, and {@link #finish} seals
 * the record. There is no other place that reconstructs a decision.
 */
final class TraceRecorder {
    private final String traceId;
    private final Instant timestamp;
    private final Policy policy;
    private final Catalog catalog;
    private final ClassifierInfo classifier;
    private final ClassifierInfo gate;
    private final DecisionTrace.RequestView request;
    private Optional<ClassificationView> classification = Optional.empty();
    private Optional<String> route = Optional.empty();
    private String riskClass = "";
    private final List<CandidateView> candidates = new ArrayList<>();
    private List<String> ranking = List.of();
    private Optional<String> start = Optional.empty();
    private final List<AttemptView> attempts = new ArrayList<>();
    private final List<CooldownView> cooldowns = new ArrayList<>();
    private final List<String> escalations = new ArrayList<>();
    private Optional<DecisionTrace.ExplorationView> exploration = Optional.empty();

    TraceRecorder(
            String traceId,
            Instant timestamp,
            Policy policy,
            Catalog catalog,
            ClassifierInfo classifier,
            ClassifierInfo gate,
            ChatRequest request,
            int promptTokens) {
        this.traceId = traceId;
        this.timestamp = timestamp;
        this.policy = policy;
        this.catalog = catalog;
        this.classifier = classifier;
        this.gate = gate;
        this.request = new DecisionTrace.RequestView(
                promptTokens,
                request.maxTokens().isPresent()
                        ? Optional.of(request.maxTokens().getAsInt())
                        : Optional.empty(),
                request.stream(),
                request.requiredCapabilities().stream()
                        .map(Capability::key)
                        .sorted()
                        .toList(),
                request.messages().size(),
                CallerFields.metadata(request.metadata()),
                CallerFields.cappedMetadata(request.metadata()));
    }

    void classified(Classification c) {
        Map<String, Double> byTier = new TreeMap<>();
        c.successByTier().forEach((tier, p) -> byTier.put(Integer.toString(tier), round(p)));
        Map<String, Double> intents = new TreeMap<>();
        c.intents().forEach((k, v) -> intents.put(k, round(v)));
        Optional<Double> familiarity =
                c.familiarity().isPresent() ? Optional.of(round(c.familiarity().getAsDouble())) : Optional.empty();
        Optional<Double> easy = c.easy() > 0 ? Optional.of(round(c.easy())) : Optional.empty();
        classification = Optional.of(new ClassificationView(c.topIntent(), intents, byTier, familiarity, easy, false));
    }

    /** The route's {@code unfamiliar_below} raised the start one tier: the request is unlike the training data. */
    void unfamiliar() {
        classification = classification.map(c ->
                new ClassificationView(c.topIntent(), c.intents(), c.successByTier(), c.familiarity(), c.easy(), true));
    }

    void routed(String routeName, String risk) {
        route = Optional.of(routeName);
        riskClass = CallerFields.text(risk);
    }

    void riskClass(String risk) {
        riskClass = CallerFields.text(risk);
    }

    void passed(ModelSpec model) {
        candidates.add(new CandidateView(model.id(), model.tier(), true, Optional.empty(), Optional.empty(), Map.of()));
    }

    void rejected(ModelSpec model, String filter, CandidateFilter.Rejection rejection) {
        candidates.add(new CandidateView(
                model.id(),
                model.tier(),
                false,
                Optional.of(filter),
                Optional.of(rejection.reason()),
                rejection.values()));
    }

    void ranked(List<ModelSpec> order, ModelSpec startModel) {
        ranking = order.stream().map(ModelSpec::id).toList();
        start = Optional.of(startModel.id());
    }

    /** The trace's name for a provider error kind. */
    static DecisionTrace.FailureKind failureKind(dev.llmrouter.provider.ErrorKind kind) {
        return DecisionTrace.FailureKind.valueOf(kind.name());
    }

    /** A call that failed (or that the caller left): numbered next, no tokens, no cost. */
    void failedAttempt(
            String model,
            DecisionTrace.Role role,
            double latencyMs,
            List<String> mutations,
            DecisionTrace.ErrorView error) {
        attempts.add(new AttemptView(
                attempts.size() + 1, model, role, latencyMs, 0, 0, 0, mutations, Optional.of(error), Optional.empty()));
    }

    /** A call that answered, with what it used and cost and, under a cascade, the gate's view of the answer. */
    void answeredAttempt(
            String model,
            DecisionTrace.Role role,
            double latencyMs,
            int inputTokens,
            int outputTokens,
            double costUsd,
            List<String> mutations,
            Optional<DecisionTrace.GateView> gate) {
        attempts.add(new AttemptView(
                attempts.size() + 1,
                model,
                role,
                latencyMs,
                inputTokens,
                outputTokens,
                costUsd,
                mutations,
                Optional.empty(),
                gate));
    }

    int attemptCount() {
        return attempts.size();
    }

    void cooldown(CooldownView view) {
        cooldowns.add(view);
    }

    boolean hasEscalated() {
        return !escalations.isEmpty();
    }

    void escalated(String reason) {
        escalations.add(reason);
    }

    List<CandidateView> candidates() {
        return List.copyOf(candidates);
    }

    DecisionTrace finish(DecisionTrace.Outcome outcome, Optional<String> servedBy, Optional<String> error) {
        double cost = attempts.stream().mapToDouble(AttemptView::costUsd).sum();
        return new DecisionTrace(
                DecisionTrace.SCHEMA,
                traceId,
                timestamp.toString(),
                new DecisionTrace.PolicyRef(policy.id(), policy.version(), policy.hash()),
                catalog.hash(),
                new DecisionTrace.ModelRef(classifier.id(), classifier.hash()),
                new DecisionTrace.ModelRef(gate.id(), gate.hash()),
                request,
                classification,
                route,
                riskClass,
                candidates,
                ranking,
                start,
                attempts,
                cooldowns,
                servedBy,
                round(cost),
                !escalations.isEmpty(),
                escalations,
                outcome,
                error,
                exploration);
    }

    void exploration(DecisionTrace.ExplorationView view) {
        exploration = Optional.of(view);
    }

    /** Rounds to 9 significant decimals so traces are stable and readable. */
    static double round(double value) {
        return Math.round(value * 1e9) / 1e9;
    }
}
