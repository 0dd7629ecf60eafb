package dev.llmrouter.request;

import com.fasterxml.jackson.databind.JsonNode;
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

    /**
     * The messages of a conversation known by its user turns (labelled records, trace logs): the earlier ones,
     * oldest first, then the prompt, each a user message.
     */
    public static List<Message> userTurns(List<String> earlier, String prompt) {
        List<Message> messages = new java.util.ArrayList<>(earlier.size() + 1);
        earlier.forEach(t -> messages.add(Message.of("user", t)));
        messages.add(Message.of("user", prompt));
        return messages;
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

    /**
     * The texts of the user messages before the last one, oldest first: what the conversation was about before
     * the turn being asked now. Empty for a conversation of one user turn.
     */
    public List<String> earlierUserTurns() {
        int last = -1;
        for (int i = messages.size() - 1; i >= 0 && last < 0; i--) {
            if (messages.get(i).role().equals("user")) {
                last = i;
            }
        }
        List<String> turns = new java.util.ArrayList<>();
        for (int i = 0; i < last; i++) {
            if (messages.get(i).role().equals("user")) {
                turns.add(messages.get(i).text());
            }
        }
        return turns;
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
}
