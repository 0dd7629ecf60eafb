package dev.llmrouter.policy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A spend cap or a premium quota of the policy's {@code budgets}: what it counts, over which fixed window, and
 * what the router does once it is reached. Windows are aligned to the epoch in UTC (a daily window runs from
 * 00:00 UTC), so every replica agrees on when one resets.
 *
 * @param name the budget's name, unique in the policy; metrics and traces name it
 * @param window the length of a window; counters start from zero at each window's start
 * @param per what gets a counter of its own: one for all requests, or one per route, API key, model or provider
 * @param scope which calls count at all (empty sets: every one)
 * @param limit a cap in USD or a premium quota
 * @param onExhausted what reaching the limit does
 * @param degradeTo with {@code degrade} on a cap: models of this tier or lower still serve once it is reached
 *     (their spend is counted, not capped)
 * @param alertAt the share of the limit used that raises the alert
 */
public record Budget(
        String name,
        Duration window,
        Per per,
        Scope scope,
        Limit limit,
        OnExhausted onExhausted,
        OptionalInt degradeTo,
        double alertAt) {

    public Budget {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(per, "per");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(onExhausted, "onExhausted");
        Objects.requireNonNull(degradeTo, "degradeTo");
    }

    public enum Per {
        GLOBAL,
        ROUTE,
        API_KEY,
        MODEL,
        PROVIDER
    }

    public enum OnExhausted {
        /** The capped models are removed; a request no other model may serve is refused (429). */
        REFUSE,
        /** Only models of {@code degrade_to} or lower (a cap) or outside the premium set (a quota) serve. */
        DEGRADE
    }

    /** Which calls a budget counts; an empty set does not restrict. */
    public record Scope(Set<String> routes, Set<String> models, Set<String> providers, Set<String> apiKeys) {
        public static final Scope ALL = new Scope(Set.of(), Set.of(), Set.of(), Set.of());

        public Scope {
            routes = Set.copyOf(routes);
            models = Set.copyOf(models);
            providers = Set.copyOf(providers);
            apiKeys = Set.copyOf(apiKeys);
        }

        public boolean covers(String route, String model, String provider, String apiKey) {
            return (routes.isEmpty() || routes.contains(route))
                    && (models.isEmpty() || models.contains(model))
                    && (providers.isEmpty() || providers.contains(provider))
                    && (apiKeys.isEmpty() || apiKeys.contains(apiKey));
        }
    }

    /** What a budget limits. */
    public sealed interface Limit {}

    /** At most {@code usd} spent in a window. */
    public record Cap(double usd) implements Limit {}

    /**
     * At most {@code share} of the route's requests (or of its spend) in a window on the premium models: those
     * listed, or those of {@code minTier} and above.
     */
    public record Quota(double share, Of of, Set<String> models, OptionalInt minTier) implements Limit {
        public Quota {
            models = Set.copyOf(models);
        }

        public boolean premium(String model, int tier) {
            return models.contains(model) || (minTier.isPresent() && tier >= minTier.getAsInt());
        }

        public enum Of {
            REQUESTS,
            SPEND
        }
    }

    /** The cap in USD, when this budget is one. */
    public Optional<Double> capUsd() {
        return limit instanceof Cap cap ? Optional.of(cap.usd()) : Optional.empty();
    }
}
