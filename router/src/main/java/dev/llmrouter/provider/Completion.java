package dev.llmrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;

/**
 * A provider's answer, in the router's terms.
 *
 * @param text the assistant's text (empty when it only called tools)
 * @param finishReason normalised to the OpenAI values: stop, length, tool_calls, content_filter
 * @param toolCalls the OpenAI-shaped tool call objects, empty when none
 * @param usage tokens consumed
 * @param tokenLogprobs per-token log probabilities when the provider returned them, else empty
 * @param upstreamModel the model name the provider reported
 */
public record Completion(
        String text,
        String finishReason,
        List<JsonNode> toolCalls,
        Usage usage,
        List<Double> tokenLogprobs,
        String upstreamModel) {
    public Completion {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        toolCalls = List.copyOf(toolCalls);
        Objects.requireNonNull(usage, "usage");
        tokenLogprobs = List.copyOf(tokenLogprobs);
        Objects.requireNonNull(upstreamModel, "upstreamModel");
    }

    public boolean truncated() {
        return finishReason.equals("length");
    }
}
