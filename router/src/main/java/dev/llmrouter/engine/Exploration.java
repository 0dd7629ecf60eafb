package dev.llmrouter.engine;

import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.policy.Route;
import dev.llmrouter.trace.DecisionTrace.ExplorationView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which requests of an exploring route also call a model of another tier, which model, and what exploring has
 * cost each route in the last hour. The draw is a hash of the trace id, so a trace's exploration can be
 * recomputed; the explored model is drawn uniformly among the route's allowed models of other tiers (not
 * cooling down), and its propensity, {@code share / candidates}, is recorded. Thread-safe; carried across
 * policy and classifier changes with the cooldowns.
 */
final class Exploration {
    private static final Duration HOUR = Duration.ofHours(1);

    private record Spend(Instant at, double usd) {}

    private final Map<String, Deque<Spend>> spent = new ConcurrentHashMap<>();

    /** What exploration does on one request: the view for its trace, and the model explored, if any. */
    record Choice(ExplorationView view, Optional<ModelSpec> model) {}

    /** Empty when the route does not explore. */
    Optional<Choice> choose(Plan plan, String traceId, Cooldowns cooldowns, Instant now) {
        Route.Explore explore = plan.route().explore();
        if (!explore.enabled()) {
            return Optional.empty();
        }
        List<ModelSpec> others = plan.ladder().stream()
                .filter(m -> m.tier() != plan.start().tier())
                .filter(m -> cooldowns.coolingUntil(m.id(), now).isEmpty())
                .toList();
        String mode = explore.mode().name().toLowerCase(Locale.ROOT);
        if (HashDraw.unit(traceId + "\nexplore") >= explore.share()) {
            return Optional.of(view(mode, explore, others.size(), Optional.empty(), Optional.empty()));
        }
        if (others.isEmpty()) {
            return Optional.of(view(mode, explore, 0, Optional.empty(), Optional.of("no_other_tier")));
        }
        if (explore.maxCostPerHour().isPresent()
                && spentLastHour(plan.route().name(), now)
                        >= explore.maxCostPerHour().getAsDouble()) {
            return Optional.of(view(mode, explore, others.size(), Optional.empty(), Optional.of("cost_cap")));
        }
        ModelSpec model = others.get((int) Long.remainderUnsigned(HashDraw.hash(traceId + "\nmodel"), others.size()));
        return Optional.of(view(mode, explore, others.size(), Optional.of(model), Optional.empty()));
    }

    private static Choice view(
            String mode, Route.Explore explore, int candidates, Optional<ModelSpec> model, Optional<String> skipped) {
        Optional<Double> propensity = model.map(m -> explore.share() / candidates);
        return new Choice(
                new ExplorationView(mode, explore.share(), candidates, model.map(ModelSpec::id), propensity, skipped),
                model);
    }

    /** Counts {@code usd} spent exploring on {@code route} at {@code at}. */
    void spend(String route, double usd, Instant at) {
        Deque<Spend> spends = spent.computeIfAbsent(route, r -> new ArrayDeque<>());
        synchronized (spends) {
            spends.addLast(new Spend(at, usd));
        }
    }

    /** What exploring on {@code route} cost in the hour before {@code now}. */
    double spentLastHour(String route, Instant now) {
        Deque<Spend> spends = spent.get(route);
        if (spends == null) {
            return 0;
        }
        synchronized (spends) {
            Instant since = now.minus(HOUR);
            while (!spends.isEmpty() && spends.peekFirst().at().isBefore(since)) {
                spends.removeFirst();
            }
            return spends.stream().mapToDouble(Spend::usd).sum();
        }
    }
}
