package dev.llmrouter.engine;

import dev.llmrouter.policy.Route;
import dev.llmrouter.trace.DecisionTrace.CooldownView;
import java.time.Instant;
import java.util.Optional;

/**
 * Consecutive failures per model, shared by all requests of a router (and by its replicas, through their
 * {@link RouterState}). A model that fails {@code cooldown.after_failures} times in a row is skipped until its
 * cooldown ends; one success resets the count.
 */
final class Cooldowns {
    private final RouterState state;

    Cooldowns(RouterState state) {
        this.state = state;
    }

    Optional<Instant> coolingUntil(String model, Instant now) {
        return Optional.ofNullable(state.cooling(now).get(model));
    }

    /** Counts a failure; returns the cooldown when this failure started one. */
    Optional<CooldownView> failure(String model, Route.Fallback rules, Instant now) {
        return state.failure(model, rules.cooldownAfter(), rules.cooldownFor(), now)
                .map(until -> new CooldownView(model, until.toString(), rules.cooldownAfter()));
    }

    void success(String model, Instant now) {
        state.success(model, now);
    }
}
