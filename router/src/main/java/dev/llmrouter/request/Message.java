package dev.llmrouter.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One chat message as the OpenAI chat-completions schema defines it. {@code raw} is the message object
 * exactly as the caller sent it (tool calls, names and content parts included) and is what providers
 * forward; {@link #text()} is the plain text the classifier and the token estimate read.
 */
public record Message(String role, String text, ObjectNode raw) {
    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(raw, "raw");
    }

    /** A plain text message. */
    public static Message of(String role, String text) {
        ObjectNode raw = Json.MAPPER.createObjectNode();
        raw.put("role", role);
        raw.put("content", text);
        return new Message(role, text, raw);
    }

    /** Reads a message object of the OpenAI schema; content may be a string or a list of parts. */
    public static Message fromJson(ObjectNode raw) {
        String role = raw.path("role").asText("");
        return new Message(role, textOf(raw.get("content")), raw);
    }

    /** True when the content holds an image part, which needs a vision-capable model. */
    public boolean hasImage() {
        JsonNode content = raw.get("content");
        if (content == null || !content.isArray()) {
            return false;
        }
        for (JsonNode part : content) {
            String type = part.path("type").asText();
            if (type.equals("image_url") || type.equals("image")) {
                return true;
            }
        }
        return false;
    }

    private static String textOf(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        if (content.isArray()) {
            for (JsonNode part : content) {
                if (part.path("type").asText().equals("text")) {
                    if (!text.isEmpty()) {
                        text.append('\n');
                    }
                    text.append(part.path("text").asText());
                }
            }
        }
        return text.toString();
    }
}
