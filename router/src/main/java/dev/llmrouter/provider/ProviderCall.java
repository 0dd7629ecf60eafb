package dev.llmrouter.provider;

import dev.llmrouter.catalog.Timeouts;
import dev.llmrouter.request.ChatRequest;
import java.util.Objects;

/**
 * One call to one upstream model.
 *
 * @param upstreamModel the model name the provider knows (the catalog's {@code upstream_id})
 * @param request the request after the policy's mutations
 * @param timeouts connect, first-byte and total limits for this call
 */
public record ProviderCall(String upstreamModel, ChatRequest request, Timeouts timeouts) {
    public ProviderCall {
        Objects.requireNonNull(upstreamModel, "upstreamModel");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(timeouts, "timeouts");
    }
}
