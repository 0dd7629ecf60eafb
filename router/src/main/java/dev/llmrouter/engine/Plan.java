package dev.llmrouter.engine;

import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.classify.Classification;
import dev.llmrouter.policy.Route;
import dev.llmrouter.request.ChatRequest;
import java.util.List;

/**
 * The decision before any call: the route, the classification, the models that passed the filters in
 * ladder order (tier by tier when the cascade is on, else ranking order), the start model, and the budgets as
 * this request sees them (its calls reserve through them).
 */
record Plan(
        ChatRequest request,
        Route route,
        Classification classification,
        int promptTokens,
        List<ModelSpec> ladder,
        ModelSpec start,
        Budgets.Sheet budgets) {

    /** The next model one tier up from {@code current}, skipping {@code excluded}: where an escalation goes. */
    java.util.Optional<ModelSpec> nextTier(ModelSpec current, java.util.Set<String> excluded) {
        return ladder.stream()
                .filter(m -> m.tier() > current.tier() && !excluded.contains(m.id()))
                .min(java.util.Comparator.comparingInt(ModelSpec::tier).thenComparingInt(ladder::indexOf));
    }
}
