package dev.llmrouter.engine;

import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.policy.Route;
import dev.llmrouter.request.ChatRequest;

/** The output tokens a request may use on a model: the one rule filters, ranking and mutation share. */
final class OutputBudget {
    private OutputBudget() {}

    /** What the caller asked for, else the route's default max_tokens, else its expected answer length. */
    static int requested(ChatRequest request, Route route) {
        if (request.maxTokens().isPresent()) {
            return request.maxTokens().getAsInt();
        }
        return route.mutate().defaultMaxTokens().orElse(route.rank().expectedOutputTokens());
    }

    /** {@link #requested}, lowered to the model's output limit when the route clamps max_tokens. */
    static int onModel(ChatRequest request, Route route, ModelSpec model) {
        int requested = requested(request, route);
        return route.mutate().clampMaxTokens() ? Math.min(requested, model.maxOutputTokens()) : requested;
    }
}
