package dev.llmrouter.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A chat request in the OpenAI chat-completions shape, as the router sees it.
 *
 * @param messages the conversation, oldest first
 * @param maxTokens the caller's output limit, if any
 * @param stream whether the caller wants server-sent events
 * @param parameters every other request field (tools, tool_choice, response_format, temperature, stop,
 *     logprobs, ...) kept verbatim so providers can forward them
 * @param metadata routing metadata from the caller (team, tenant, ...); routes match on it
 * @param riskClass the risk class the caller declared; empty means the policy's default
 */
public record ChatRequest(
        List<Message> messages,
        OptionalInt maxTokens,
        boolean stream,
        Map<String, JsonNode> parameters,
        Map<String, String> metadata,
        String riskClass) {

    public ChatRequest {
        messages = List.copyOf(messages);
        Objects.requireNonNull(maxTokens, "maxTokens");
        parameters = Map.copyOf(parameters);
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(riskClass, "riskClass");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
    }

    /** A single user turn with no options. */
    public static ChatRequest ofPrompt(String prompt) {
        return new ChatRequest(List.of(Message.of("user", prompt)), OptionalInt.empty(), false, Map.of(), Map.of(), "");
    }

    /** The text of the last user message: what the caller is asking now. */
    public String lastUserText() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role().equals("user")) {
                return messages.get(i).text();
            }
        }
        return messages.getLast().text();
    }

    /** Number of user turns in the conversation. */
    public int userTurns() {
        return (int) messages.stream().filter(m -> m.role().equals("user")).count();
    }

    /** The capabilities a model must have to serve this request as sent. */
    public Set<Capability> requiredCapabilities() {
        EnumSet<Capability> needed = EnumSet.noneOf(Capability.class);
        if (hasParameter("tools") || hasParameter("functions")) {
            needed.add(Capability.TOOLS);
        }
        JsonNode format = parameters.get("response_format");
        if (format != null) {
            String type = format.path("type").asText();
            if (type.equals("json_object") || type.equals("json_schema")) {
                needed.add(Capability.JSON_OUTPUT);
            }
        }
        if (stream) {
            needed.add(Capability.STREAMING);
        }
        if (messages.stream().anyMatch(Message::hasImage)) {
            needed.add(Capability.VISION);
        }
        JsonNode logprobs = parameters.get("logprobs");
        if (logprobs != null && logprobs.asBoolean(false)) {
            needed.add(Capability.LOGPROBS);
        }
        return needed;
    }

    /** True when the caller asked for JSON output through {@code response_format}. */
    public boolean wantsJson() {
        return requiredCapabilities().contains(Capability.JSON_OUTPUT);
    }

    private boolean hasParameter(String name) {
        JsonNode value = parameters.get(name);
        return value != null && !value.isNull() && !(value.isArray() && value.isEmpty());
    }

    public ChatRequest withMaxTokens(int tokens) {
        return new ChatRequest(messages, OptionalInt.of(tokens), stream, parameters, metadata, riskClass);
    }

    public ChatRequest withoutParameter(String name) {
        Map<String, JsonNode> kept = new LinkedHashMap<>(parameters);
        kept.remove(name);
        return new ChatRequest(messages, maxTokens, stream, kept, metadata, riskClass);
    }

    public ChatRequest withStream(boolean streaming) {
        return new ChatRequest(messages, maxTokens, streaming, parameters, metadata, riskClass);
    }

    private static OptionalInt positiveInt(ObjectNode body, String key) {
        JsonNode value = body.get(key);
        if (value == null || value.isNull()) {
            return OptionalInt.empty();
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 1) {
            throw new IllegalArgumentException(key + ": expected a positive integer, got " + value);
        }
        return OptionalInt.of(value.asInt());
    }

    /**
     * Reads an OpenAI chat-completions body. Routing metadata comes from {@code metadata} (string values)
     * and the risk class from {@code metadata.risk_class}; {@code model} is the caller's alias and is not
     * kept. Of {@code max_tokens} and {@code max_completion_tokens} the smaller holds; {@code n} above 1 is
     * refused (one choice is returned). Throws {@link IllegalArgumentException} naming the field that is
     * wrong.
     */
    public static ChatRequest fromOpenAiJson(ObjectNode body) {
        JsonNode rawMessages = body.get("messages");
        if (rawMessages == null || !rawMessages.isArray() || rawMessages.isEmpty()) {
            throw new IllegalArgumentException("messages: expected a non-empty array of message objects");
        }
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < rawMessages.size(); i++) {
            JsonNode m = rawMessages.get(i);
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw new IllegalArgumentException("messages[" + i + "]: expected an object with a string 'role'");
            }
            messages.add(Message.fromJson((ObjectNode) m));
        }
        OptionalInt maxTokens = OptionalInt.empty();
        for (String key : List.of("max_completion_tokens", "max_tokens")) {
            OptionalInt given = positiveInt(body, key);
            if (given.isPresent() && (maxTokens.isEmpty() || given.getAsInt() < maxTokens.getAsInt())) {
                maxTokens = given; // both given: the tighter limit holds
            }
        }
        OptionalInt choices = positiveInt(body, "n");
        if (choices.isPresent() && choices.getAsInt() > 1) {
            throw new IllegalArgumentException("n: the router returns one choice per request, got n = "
                    + choices.getAsInt() + "; send n: 1 (or leave it out) and make several requests for several"
                    + " answers");
        }
        JsonNode stream = body.path("stream");
        if (!stream.isMissingNode() && !stream.isNull() && !stream.isBoolean()) {
            throw new IllegalArgumentException("stream: expected true or false, got " + stream);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode meta = body.get("metadata");
        if (meta != null && !meta.isNull()) {
            if (!meta.isObject()) {
                throw new IllegalArgumentException("metadata: expected an object of string values");
            }
            meta.fields()
                    .forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        }
        String riskClass = metadata.getOrDefault("risk_class", "");
        Map<String, JsonNode> parameters = new LinkedHashMap<>();
        body.fields().forEachRemaining(e -> {
            if (!Set.of("messages", "max_tokens", "max_completion_tokens", "stream", "metadata", "model")
                    .contains(e.getKey())) {
                parameters.put(e.getKey(), e.getValue());
            }
        });
        return new ChatRequest(messages, maxTokens, stream.asBoolean(false), parameters, metadata, riskClass);
    }
}
