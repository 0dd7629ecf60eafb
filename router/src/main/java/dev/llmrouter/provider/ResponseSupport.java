package dev.llmrouter.provider;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Json;
import dev.llmrouter.request.TokenEstimate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;

/** Parsing helpers both provider clients use on successful answers. */
final class ResponseSupport {
    private ResponseSupport() {}

    /** The whole body, refusing one larger than {@link HttpTransport#MAX_BODY_BYTES}. */
    static byte[] readAll(String provider, InputStream body) throws IOException, ProviderFailure {
        byte[] bytes = body.readNBytes(HttpTransport.MAX_BODY_BYTES + 1);
        if (bytes.length > HttpTransport.MAX_BODY_BYTES) {
            throw new ProviderFailure(
                    ErrorKind.SERVER_ERROR,
                    provider + " answered with a body larger than " + HttpTransport.MAX_BODY_BYTES + " bytes");
        }
        return bytes;
    }

    /** A 200 answer's JSON object; anything else is a {@link ErrorKind#SERVER_ERROR} naming the problem. */
    static JsonNode parseBody(String provider, byte[] body) throws ProviderFailure {
        return parse(provider, new String(body, StandardCharsets.UTF_8), "answered HTTP 200 with");
    }

    /** One stream event's JSON object; anything else is a {@link ErrorKind#SERVER_ERROR}. */
    static JsonNode parseEvent(String provider, String data) throws ProviderFailure {
        return parse(provider, data, "sent a stream event with");
    }

    private static JsonNode parse(String provider, String text, String context) throws ProviderFailure {
        if (text.isBlank()) {
            throw new ProviderFailure(ErrorKind.SERVER_ERROR, provider + " " + context + " an empty body");
        }
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            if (node == null || !node.isObject()) {
                throw new ProviderFailure(
                        ErrorKind.SERVER_ERROR,
                        provider + " " + context + " JSON that is not an object: " + HttpErrorMapping.truncate(text));
            }
            return node;
        } catch (JacksonException e) {
            throw new ProviderFailure(
                    ErrorKind.SERVER_ERROR,
                    provider + " " + context + " malformed JSON (" + HttpErrorMapping.truncate(e.getOriginalMessage())
                            + ")");
        }
    }

    /** An OpenAI-shaped tool call: {@code {id, type: function, function: {name, arguments}}}. */
    static ObjectNode toolCall(String id, String name, String arguments) {
        ObjectNode call = Json.MAPPER.createObjectNode();
        call.put("id", id);
        call.put("type", "function");
        ObjectNode function = call.putObject("function");
        function.put("name", name);
        function.put("arguments", arguments);
        return call;
    }

    /**
     * Usage from the provider's counts; a count it did not give is estimated with {@link TokenEstimate} and
     * the usage marked estimated.
     */
    static Usage usage(
            OptionalInt input, OptionalInt output, ChatRequest request, String text, List<JsonNode> toolCalls) {
        int in = input.orElseGet(() -> TokenEstimate.promptTokens(request));
        int out = output.orElseGet(() -> {
            int tokens = TokenEstimate.ofText(text);
            for (JsonNode call : toolCalls) {
                tokens += TokenEstimate.ofText(
                        call.path("function").path("arguments").asText(""));
            }
            return tokens;
        });
        return new Usage(Math.max(0, in), Math.max(0, out), input.isEmpty() || output.isEmpty());
    }

    /** A non-negative integer field, or empty when absent or not a number. */
    static OptionalInt count(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNumber() && value.asLong() >= 0 && value.canConvertToInt()
                ? OptionalInt.of(value.asInt())
                : OptionalInt.empty();
    }

    /** A string field, or {@code fallback} when absent, null or not a string. */
    static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.asText() : fallback;
    }
}
