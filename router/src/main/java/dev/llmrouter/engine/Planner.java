package dev.llmrouter.engine;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.RiskClass;
import dev.llmrouter.policy.Route;
import dev.llmrouter.request.ChatRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** The steps before any call: classify, pick the route, filter, rank, choose the start. */
final class Planner {
    private final Catalog catalog;
    private final Policy policy;
    private final Classifier classifier;
    private final Cooldowns cooldowns;

    Planner(Catalog catalog, Policy policy, Classifier classifier, Cooldowns cooldowns) {
        this.catalog = catalog;
        this.policy = policy;
        this.classifier = classifier;
        this.cooldowns = cooldowns;
    }

    /** A plan, or why there is none. */
    sealed interface Decided permits Ready, Refused {}

    record Ready(Plan plan) implements Decided {}

    /** {@code budgetResetsAt}: a refusing budget left no model, and resets then. */
    record Refused(List<String> reasons, Optional<Instant> budgetResetsAt) implements Decided {
        Refused(List<String> reasons) {
            this(reasons, Optional.empty());
        }
    }

    Decided plan(
            ChatRequest request,
            Target target,
            int promptTokens,
            TraceRecorder trace,
            Instant now,
            Budgets budgets,
            String apiKey) {
        String riskName = request.riskClass().isEmpty() ? policy.defaultRiskClass() : request.riskClass();
        RiskClass risk = policy.riskClasses().get(riskName);
        trace.riskClass(riskName);
        if (risk == null) {
            return new Refused(List.of("unknown risk class '" + CallerFields.text(riskName) + "' (the policy defines: "
                    + String.join(", ", new TreeSet<>(policy.riskClasses().keySet())) + ")"));
        }
        Classification classification = classifier.classify(request);
        trace.classified(classification);
        String intent = classification.topIntent();
        Optional<Route> pinned = target instanceof Target.OfRoute(String name)
                ? policy.routes().stream().filter(r -> r.name().equals(name)).findFirst()
                : Optional.empty();
        if (target instanceof Target.OfRoute(String name) && pinned.isEmpty()) {
            return new Refused(List.of("unknown route '" + name + "' (the policy's routes: "
                    + String.join(
                            ", ", policy.routes().stream().map(Route::name).toList()) + ")"));
        }
        Route route = pinned.orElseGet(() -> policy.routes().stream()
                .filter(r -> r.match().matches(intent, riskName, request.metadata()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("admission guarantees a catch-all last route")));
        trace.routed(route.name(), riskName);
        CandidateFilter.Input input = new CandidateFilter.Input(
                request,
                promptTokens,
                route,
                risk,
                now,
                cooldowns,
                budgets.sheet(route, apiKey, catalog.models(), now));
        List<ModelSpec> passed = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        Optional<Instant> budgetResets = Optional.empty();
        Optional<Instant> pinnedResets = Optional.empty();
        for (ModelSpec model : catalog.models()) {
            Optional<CandidateFilter.Rejection> rejection = filter(model, input, trace, reasons);
            if (rejection.isEmpty()) {
                passed.add(model);
                trace.passed(model);
            } else if ("refuse".equals(rejection.get().values().get("on_exhausted"))) {
                Instant resets = Instant.parse((String) rejection.get().values().get("resets_at"));
                budgetResets = budgetResets.filter(r -> r.isBefore(resets)).or(() -> Optional.of(resets));
                if (target instanceof Target.OfModel(String id) && id.equals(model.id())) {
                    pinnedResets = Optional.of(resets);
                }
            }
        }
        if (target instanceof Target.OfModel(String id)) {
            Optional<ModelSpec> model =
                    passed.stream().filter(m -> m.id().equals(id)).findFirst();
            if (model.isEmpty()) {
                List<String> own =
                        reasons.stream().filter(r -> r.startsWith(id + ": ")).toList();
                return new Refused(own.isEmpty() ? List.of(id + ": not in the catalog") : own, pinnedResets);
            }
            trace.ranked(List.of(model.get()), model.get());
            return new Ready(new Plan(
                    request, route, classification, promptTokens, List.of(model.get()), model.get(), input.budgets()));
        }
        if (passed.isEmpty()) {
            return new Refused(reasons, budgetResets);
        }
        Comparator<ModelSpec> rank = rankOrder(route, request, promptTokens, classification);
        List<ModelSpec> ranking = passed.stream().sorted(rank).toList();
        List<ModelSpec> ladder = route.cascade().enabled()
                ? passed.stream()
                        .sorted(Comparator.comparingInt(ModelSpec::tier).thenComparing(rank))
                        .toList()
                : ranking;
        ModelSpec start = start(route, ladder, classification, trace);
        trace.ranked(ranking, start);
        return new Ready(new Plan(request, route, classification, promptTokens, ladder, start, input.budgets()));
    }

    private static Optional<CandidateFilter.Rejection> filter(
            ModelSpec model, CandidateFilter.Input input, TraceRecorder trace, List<String> reasons) {
        for (CandidateFilter filter : CandidateFilter.ALL) {
            Optional<CandidateFilter.Rejection> rejection = filter.check(model, input);
            if (rejection.isPresent()) {
                trace.rejected(model, filter.name(), rejection.get());
                reasons.add(model.id() + ": " + filter.name() + " "
                        + rejection.get().reason() + " " + rejection.get().values());
                return rejection;
            }
        }
        return Optional.empty();
    }

    /**
     * The fixed start when it passed the filters, else the first model whose predicted success reaches the
     * quality floor and lies within the quality gap of the best candidate's (else the likeliest to succeed),
     * moved one tier up when the request is less familiar than the route's {@code unfamiliar_below}.
     */
    private static ModelSpec start(
            Route route, List<ModelSpec> ladder, Classification classification, TraceRecorder trace) {
        Optional<ModelSpec> fixed = route.select()
                .start()
                .flatMap(id -> ladder.stream().filter(m -> m.id().equals(id)).findFirst());
        if (fixed.isPresent()) {
            return fixed.get();
        }
        ModelSpec chosen = predicted(route, ladder, classification);
        if (classification.familiarity().isPresent()
                && classification.familiarity().getAsDouble() < route.cascade().unfamiliarBelow()) {
            Optional<ModelSpec> higher =
                    ladder.stream().filter(m -> m.tier() > chosen.tier()).findFirst();
            if (higher.isPresent()) {
                trace.unfamiliar();
                return higher.get();
            }
        }
        return chosen;
    }

    private static ModelSpec predicted(Route route, List<ModelSpec> ladder, Classification classification) {
        // each model's predicted success once: the floor, the gap and the fallback all read it
        double[] success = new double[ladder.size()];
        int likeliest = 0;
        for (int i = 0; i < success.length; i++) {
            success[i] = success(classification, ladder.get(i));
            if (success[i] > success[likeliest]) {
                likeliest = i; // the first of equals wins
            }
        }
        double least = Math.max(
                route.cascade().qualityFloor(),
                success[likeliest] - route.cascade().qualityGap());
        for (int i = 0; i < success.length; i++) {
            if (success[i] >= least) {
                return ladder.get(i);
            }
        }
        return ladder.get(likeliest);
    }

    /**
     * A model's predicted success: its own when the classifier knows it by one of its declared data names,
     * its catalog id or its provider id (in that order), else its tier's.
     */
    static double success(Classification classification, ModelSpec model) {
        String[] names = new String[model.dataNames().size() + 2];
        for (int i = 0; i < model.dataNames().size(); i++) {
            names[i] = model.dataNames().get(i);
        }
        names[names.length - 2] = model.id();
        names[names.length - 1] = model.upstreamId();
        return classification.successOf(model.tier(), names);
    }

    static Comparator<ModelSpec> rankOrder(
            Route route, ChatRequest request, int promptTokens, Classification classification) {
        Comparator<ModelSpec> cheapest =
                Comparator.comparingDouble(m -> m.costUsd(promptTokens, OutputBudget.onModel(request, route, m)));
        Comparator<ModelSpec> order =
                switch (route.rank().by()) {
                    case CHEAPEST -> cheapest;
                    case FASTEST ->
                        Comparator.comparingDouble(
                                (ModelSpec m) -> m.expectedLatencyMs(OutputBudget.onModel(request, route, m)));
                    case QUALITY ->
                        Comparator.comparingDouble((ModelSpec m) -> -success(classification, m))
                                .thenComparing(cheapest);
                };
        return order.thenComparing(ModelSpec::id);
    }
}
