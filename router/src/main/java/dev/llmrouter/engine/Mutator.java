package dev.llmrouter.engine;

import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.policy.Route;
import dev.llmrouter.request.ChatRequest;
import java.util.ArrayList;
import java.util.List;

/** The mutate verb: fits the request to the model chosen for one attempt and lists every change made. */
final class Mutator {
    private Mutator() {}

    record Mutated(ChatRequest request, List<String> changes) {}

    static Mutated apply(ChatRequest request, Route route, ModelSpec model) {
        List<String> changes = new ArrayList<>();
        ChatRequest out = request;
        Route.Mutate rules = route.mutate();
        if (out.maxTokens().isEmpty() && rules.defaultMaxTokens().isPresent()) {
            out = out.withMaxTokens(rules.defaultMaxTokens().getAsInt());
            changes.add("max_tokens set to " + rules.defaultMaxTokens().getAsInt() + " (default_max_tokens)");
        }
        if (rules.clampMaxTokens()
                && out.maxTokens().isPresent()
                && out.maxTokens().getAsInt() > model.maxOutputTokens()) {
            changes.add("max_tokens " + out.maxTokens().getAsInt() + " -> " + model.maxOutputTokens()
                    + " (the model's output limit)");
            out = out.withMaxTokens(model.maxOutputTokens());
        }
        if (rules.dropUnsupported()) {
            for (String param : model.unsupportedParams().stream().sorted().toList()) {
                if (out.parameters().containsKey(param)) {
                    out = out.withoutParameter(param);
                    changes.add("dropped " + param + " (not supported by " + model.id() + ")");
                }
            }
        }
        return new Mutated(out, changes);
    }
}
