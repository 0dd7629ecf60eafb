package dev.llmrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.catalog.ProviderSpec;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Json;
import dev.llmrouter.request.Message;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A client of the OpenAI chat-completions API ({@code POST {baseUrl}/chat/completions}), also spoken by
 * Google, Together, Groq, vLLM, Ollama and others.
 *
 * <p>The body carries the upstream model, each message exactly as the caller sent it, {@code max_tokens}
 * when the request has a limit, the stream flag and every other request parameter verbatim. Streams ask for
 * a final usage chunk ({@code stream_options.include_usage}); a provider that sends none gets estimated
 * usage. A stream is complete at {@code data: [DONE]} or, for providers that omit it, once a finish reason
 * arrived; one that ends before either fails with {@link ErrorKind#SERVER_ERROR}.
 */
final class OpenAiCompatibleClient extends JsonApiClient {
    private static final Set<String> OWN_FIELDS = Set.of("model", "messages", "stream", "stream_options");

    OpenAiCompatibleClient(ProviderSpec spec, ApiKey apiKey) {
        super(spec, apiKey, URI.create(ProviderClients.trimSlash(spec.baseUrl()) + "/chat/completions"));
    }

    @Override
    List<Map.Entry<String, String>> headers(Optional<String> key, boolean stream) {
        List<Map.Entry<String, String>> headers = HttpTransport.jsonHeaders(stream);
        key.ifPresent(value -> headers.add(Map.entry("Authorization", "Bearer " + value)));
        return headers;
    }

    @Override
    JsonNode body(ProviderCall call, boolean stream) {
        return requestBody(call, stream);
    }

    @Override
    Completion parse(ProviderCall call, JsonNode root) throws ProviderFailure {
        return parseCompletion(spec.name(), call, root);
    }

    @Override
    StreamState streamState(StreamSink sink) {
        return new OpenAiStreamState(spec.name(), sink);
    }

    /** The chat-completions body for {@code call}; {@code stream} decides the stream flag and options. */
    static ObjectNode requestBody(ProviderCall call, boolean stream) {
        ChatRequest request = call.request();
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", call.upstreamModel());
        ArrayNode messages = body.putArray("messages");
        for (Message message : request.messages()) {
            messages.add(message.raw());
        }
        for (Map.Entry<String, JsonNode> parameter : request.parameters().entrySet()) {
            if (!OWN_FIELDS.contains(parameter.getKey())) {
                body.set(parameter.getKey(), parameter.getValue());
            }
        }
        request.maxTokens().ifPresent(tokens -> body.put("max_tokens", tokens));
        body.put("stream", stream);
        if (stream) {
            JsonNode callerOptions = request.parameters().get("stream_options");
            ObjectNode options = callerOptions != null && callerOptions.isObject()
                    ? ((ObjectNode) callerOptions).deepCopy()
                    : Json.MAPPER.createObjectNode();
            options.put("include_usage", true);
            body.set("stream_options", options);
        }
        return body;
    }

    /** Reads a non-streamed chat-completions answer. */
    static Completion parseCompletion(String provider, ProviderCall call, JsonNode root) throws ProviderFailure {
        JsonNode choice = firstChoice(provider, root);
        JsonNode message = choice.path("message");
        String text = contentText(message.path("content"));
        List<JsonNode> toolCalls = new ArrayList<>();
        JsonNode rawCalls = message.path("tool_calls");
        if (rawCalls.isArray()) {
            rawCalls.forEach(toolCalls::add);
        }
        JsonNode legacyCall = message.path("function_call");
        if (toolCalls.isEmpty() && legacyCall.isObject()) {
            toolCalls.add(ResponseSupport.toolCall(
                    "call_0",
                    ResponseSupport.text(legacyCall, "name", ""),
                    ResponseSupport.text(legacyCall, "arguments", "{}")));
        }
        String finish = normaliseFinish(ResponseSupport.text(choice, "finish_reason", ""), !toolCalls.isEmpty());
        JsonNode usage = root.path("usage");
        Usage counted = ResponseSupport.usage(
                ResponseSupport.count(usage, "prompt_tokens"),
                ResponseSupport.count(usage, "completion_tokens"),
                call.request(),
                text,
                toolCalls);
        List<JsonNode> logprobs = new ArrayList<>();
        addLogprobs(choice, logprobs);
        String model = ResponseSupport.text(root, "model", call.upstreamModel());
        return new Completion(text, finish, toolCalls, counted, logprobs, model);
    }

    private static JsonNode firstChoice(String provider, JsonNode root) throws ProviderFailure {
        JsonNode choices = root.path("choices");
        if (choices.isArray() && !choices.isEmpty() && choices.get(0).isObject()) {
            return choices.get(0);
        }
        JsonNode error = root.get("error");
        if (error != null && !error.isNull()) {
            throw HttpErrorMapping.fromErrorObject(provider, error);
        }
        throw new ProviderFailure(
                ErrorKind.SERVER_ERROR,
                provider + " answered HTTP 200 without choices[0]: the body is not a chat completion");
    }

    /** Content as a string, or the text parts of a content list, or empty for null. */
    static String contentText(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        if (content.isArray()) {
            for (JsonNode part : content) {
                if (part.isTextual()) {
                    text.append(part.asText());
                } else if (part.path("type").asText().equals("text")) {
                    text.append(part.path("text").asText());
                }
            }
        }
        return text.toString();
    }

    /** Appends the entries of {@code logprobs.content} of a choice (or stream choice), when present. */
    static void addLogprobs(JsonNode choice, List<JsonNode> into) {
        JsonNode content = choice.path("logprobs").path("content");
        if (content.isArray()) {
            for (JsonNode token : content) {
                if (token.isObject()) {
                    into.add(token);
                }
            }
        }
    }

    /** Maps the finish reasons some OpenAI-compatible servers use onto OpenAI's own. */
    static String normaliseFinish(String reason, boolean calledTools) {
        String lower = reason.toLowerCase(Locale.ROOT);
        return switch (lower) {
            case "" -> calledTools ? "tool_calls" : "stop";
            case "stop", "length", "tool_calls", "content_filter" -> lower;
            case "function_call", "tool_use" -> "tool_calls";
            case "eos", "end_turn", "stop_sequence", "eos_token" -> "stop";
            case "max_tokens", "model_length" -> "length";
            default -> lower;
        };
    }
}
