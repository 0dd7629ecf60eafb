package dev.llmrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.catalog.ProviderSpec;
import dev.llmrouter.request.Json;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A client of Anthropic's Messages API ({@code POST {baseUrl}/v1/messages}, or {@code {baseUrl}/messages}
 * when the base URL already ends in {@code /v1}), speaking {@code anthropic-version: 2023-06-01}.
 *
 * <p>The OpenAI-shaped request is converted: system (and developer) messages are joined into the top-level
 * {@code system}; user and assistant content becomes text and image blocks (a base64 {@code data:} URL
 * becomes a base64 image source, an http(s) URL a url source); assistant {@code tool_calls} become
 * {@code tool_use} blocks and {@code tool} messages become user {@code tool_result} blocks, consecutive
 * messages of one role being merged; {@code max_tokens} is the request's or {@value
 * AnthropicRequestMapper#DEFAULT_MAX_TOKENS}; tools, {@code tool_choice} (auto, none, required, a named
 * function), {@code parallel_tool_calls: false}, {@code temperature} (clamped to 0..1), {@code top_p},
 * {@code top_k}, {@code stop} (as {@code stop_sequences}) and {@code user} (as {@code metadata.user_id}) are
 * carried over.
 *
 * <p><b>Dropped:</b> every OpenAI-only parameter without an Anthropic equivalent is silently left out,
 * among them {@code response_format}, {@code logprobs}, {@code top_logprobs}, {@code seed}, {@code n},
 * {@code presence_penalty}, {@code frequency_penalty}, {@code logit_bias}, {@code stream_options},
 * {@code service_tier} and {@code reasoning_effort}. Answers therefore never carry log probabilities.
 *
 * <p>The answer is converted back: text blocks are concatenated, {@code tool_use} blocks become OpenAI
 * tool calls with JSON-string arguments, and the stop reason is mapped (end_turn and stop_sequence to stop,
 * max_tokens to length, tool_use to tool_calls, refusal to content_filter).
 */
final class AnthropicClient extends JsonApiClient {
    static final String API_VERSION = "2023-06-01";

    private final AnthropicRequestMapper mapper;

    AnthropicClient(ProviderSpec spec, ApiKey apiKey) {
        super(spec, apiKey, endpoint(spec));
        this.mapper = new AnthropicRequestMapper(spec.name());
    }

    private static URI endpoint(ProviderSpec spec) {
        String base = ProviderClients.trimSlash(spec.baseUrl());
        return URI.create(base.endsWith("/v1") ? base + "/messages" : base + "/v1/messages");
    }

    @Override
    List<Map.Entry<String, String>> headers(Optional<String> key, boolean stream) {
        List<Map.Entry<String, String>> headers = HttpTransport.jsonHeaders(stream);
        headers.add(Map.entry("anthropic-version", API_VERSION));
        key.ifPresent(value -> headers.add(Map.entry("x-api-key", value)));
        return headers;
    }

    @Override
    JsonNode body(ProviderCall call, boolean stream) throws ProviderFailure {
        return mapper.toBody(call, stream);
    }

    @Override
    Completion parse(ProviderCall call, JsonNode root) throws ProviderFailure {
        return parseMessage(spec.name(), call, root);
    }

    @Override
    StreamState streamState(StreamSink sink) {
        return new AnthropicStreamState(spec.name(), sink);
    }

    /** Reads a non-streamed Messages API answer. */
    static Completion parseMessage(String provider, ProviderCall call, JsonNode root) throws ProviderFailure {
        if (root.path("type").asText().equals("error")) {
            throw HttpErrorMapping.fromErrorObject(provider, root.path("error"));
        }
        JsonNode content = root.get("content");
        if (content == null || !content.isArray()) {
            throw new ProviderFailure(
                    ErrorKind.SERVER_ERROR,
                    provider + " answered HTTP 200 without a content list: the body is not a message");
        }
        StringBuilder text = new StringBuilder();
        List<JsonNode> toolCalls = new ArrayList<>();
        for (JsonNode block : content) {
            switch (block.path("type").asText()) {
                case "text" -> text.append(block.path("text").asText(""));
                case "tool_use" ->
                    toolCalls.add(ResponseSupport.toolCall(
                            block.path("id").asText(""),
                            block.path("name").asText(""),
                            arguments(block.path("input"))));
                default -> {
                    // thinking and other blocks have no OpenAI equivalent
                }
            }
        }
        String finish = finishReason(ResponseSupport.text(root, "stop_reason", ""), !toolCalls.isEmpty());
        JsonNode usage = root.path("usage");
        Usage counted = ResponseSupport.usage(
                ResponseSupport.count(usage, "input_tokens"),
                ResponseSupport.count(usage, "output_tokens"),
                call.request(),
                text.toString(),
                toolCalls);
        String model = ResponseSupport.text(root, "model", call.upstreamModel());
        return new Completion(text.toString(), finish, toolCalls, counted, List.of(), model);
    }

    /** A tool_use input as the JSON string OpenAI puts in {@code function.arguments}. */
    static String arguments(JsonNode input) {
        return input.isObject()
                ? input.toString()
                : Json.MAPPER.createObjectNode().toString();
    }

    /** Anthropic's stop reason in OpenAI's terms. */
    static String finishReason(String stopReason, boolean calledTools) {
        return switch (stopReason) {
            case "end_turn", "stop_sequence", "pause_turn" -> "stop";
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> calledTools ? "tool_calls" : "stop";
        };
    }
}
