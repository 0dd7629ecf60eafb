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
 * @param logprobs the provider's per-token log probabilities as OpenAI shapes them ({@code logprobs.content}:
 *     {@code token}, {@code logprob}, {@code bytes}, {@code top_logprobs}), when it returned them, else empty
 * @param upstreamModel the model name the provider reported
 */
public record Completion(
        String text,
        String finishReason,
        List<JsonNode> toolCalls,
        Usage usage,
        List<JsonNode> logprobs,
        String upstreamModel) {
    public Completion {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        toolCalls = List.copyOf(toolCalls);
        Objects.requireNonNull(usage, "usage");
        logprobs = List.copyOf(logprobs);
        Objects.requireNonNull(upstreamModel, "upstreamModel");
    }

    /** The log probability of each token that has one, in order. */
    public List<Double> tokenLogprobs() {
        return logprobs.stream()
                .map(token -> token.path("logprob"))
                .filter(JsonNode::isNumber)
                .map(JsonNode::asDouble)
                .toList();
    }

    /** OpenAI-shaped entries for the given log probabilities, tokens unnamed: for answers made in tests. */
    public static List<JsonNode> logprobEntries(List<Double> values) {
        return values.stream()
                .<JsonNode>map(v -> dev.llmrouter.request.Json.MAPPER
                        .createObjectNode()
                        .put("token", "")
                        .put("logprob", v))
                .toList();
    }

    public boolean truncated() {
        return finishReason.equals("length");
    }
}
