package dev.llmrouter.engine;

import dev.llmrouter.policy.Route;
import dev.llmrouter.trace.DecisionTrace.CooldownView;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Consecutive failures per model, shared by all requests of a router. A model that fails
 * {@code cooldown.after_failures} times in a row is skipped until its cooldown ends; one success resets it.
 */
final class Cooldowns {
    private record State(int failures, Instant until) {}

    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    Optional<Instant> coolingUntil(String model, Instant now) {
        State state = states.get(model);
        return state != null && state.until.isAfter(now) ? Optional.of(state.until) : Optional.empty();
    }

    /** Counts a failure; returns the cooldown when this failure started one. */
    Optional<CooldownView> failure(String model, Route.Fallback rules, Instant now) {
        State next = states.compute(model, (m, old) -> {
            int failures = (old == null ? 0 : old.failures) + 1;
            Instant until = old == null ? Instant.MIN : old.until;
            if (failures >= rules.cooldownAfter()) {
                return new State(0, now.plus(rules.cooldownFor()));
            }
            return new State(failures, until);
        });
        if (next.failures == 0 && next.until.isAfter(now)) {
            return Optional.of(new CooldownView(model, next.until.toString(), rules.cooldownAfter()));
        }
        return Optional.empty();
    }

    void success(String model, Instant now) {
        states.computeIfPresent(model, (m, old) -> old.until.isAfter(now) ? old : null);
    }
}
