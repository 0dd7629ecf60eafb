package dev.llmrouter.provider;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Json;
import dev.llmrouter.request.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Converts an OpenAI-shaped {@link ChatRequest} into an Anthropic Messages API body. See
 * {@link AnthropicClient} for what is converted and what is dropped. A request that cannot be expressed
 * (an unknown role, a non-base64 data URL, tool arguments that are not a JSON object, ...) fails with
 * {@link ErrorKind#BAD_REQUEST} naming the offending field.
 */
final class AnthropicRequestMapper {
    /** Anthropic requires max_tokens; this is sent when the caller gave none. */
    static final int DEFAULT_MAX_TOKENS = 4096;

    private final String provider;

    AnthropicRequestMapper(String provider) {
        this.provider = provider;
    }

    /** The Messages API body for {@code call}. */
    ObjectNode toBody(ProviderCall call, boolean stream) throws ProviderFailure {
        ChatRequest request = call.request();
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", call.upstreamModel());
        body.put("max_tokens", request.maxTokens().orElse(DEFAULT_MAX_TOKENS));
        List<String> system = new ArrayList<>();
        ArrayNode messages = Json.MAPPER.createArrayNode();
        for (int i = 0; i < request.messages().size(); i++) {
            addMessage(request.messages().get(i), i, system, messages);
        }
        if (!system.isEmpty()) {
            body.put("system", String.join("\n\n", system));
        }
        body.set("messages", messages);
        if (stream) {
            body.put("stream", true);
        }
        new AnthropicParameterMapper(provider).addParameters(request, body);
        return body;
    }

    private void addMessage(Message message, int i, List<String> system, ArrayNode messages) throws ProviderFailure {
        ObjectNode raw = message.raw();
        switch (message.role()) {
            case "system", "developer" -> {
                if (!message.text().isBlank()) {
                    system.add(message.text());
                }
            }
            case "user" -> append(messages, "user", contentBlocks(raw.get("content"), "messages[" + i + "]"));
            case "assistant" -> {
                ArrayNode blocks = contentBlocks(raw.get("content"), "messages[" + i + "]");
                addToolUses(raw.path("tool_calls"), i, blocks);
                append(messages, "assistant", blocks);
            }
            case "tool" -> append(messages, "user", toolResult(raw, i));
            default ->
                throw badRequest("messages[" + i + "]: role '" + message.role()
                        + "' cannot be sent to Anthropic (use system, " + "user, assistant or tool)");
        }
    }

    /** Adds blocks to the last message when it has the same role (Anthropic wants roles to alternate). */
    private static void append(ArrayNode messages, String role, ArrayNode blocks) {
        if (blocks.isEmpty()) {
            return;
        }
        JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        if (last != null && last.path("role").asText().equals(role)) {
            ((ArrayNode) last.get("content")).addAll(blocks);
            return;
        }
        ObjectNode message = messages.addObject();
        message.put("role", role);
        message.set("content", blocks);
    }

    private ArrayNode contentBlocks(JsonNode content, String where) throws ProviderFailure {
        ArrayNode blocks = Json.MAPPER.createArrayNode();
        if (content == null || content.isNull()) {
            return blocks;
        }
        if (content.isTextual()) {
            addText(blocks, content.asText(), null);
            return blocks;
        }
        if (!content.isArray()) {
            throw badRequest(where + ".content: expected a string or a list of content parts");
        }
        for (int p = 0; p < content.size(); p++) {
            JsonNode part = content.get(p);
            String type = part.path("type").asText("");
            String at = where + ".content[" + p + "]";
            switch (type) {
                case "text" -> addText(blocks, part.path("text").asText(""), part.get("cache_control"));
                case "image_url" -> blocks.add(image(part.get("image_url"), at));
                case "image" -> blocks.add(part.deepCopy());
                default -> throw badRequest(at + ": content part type '" + type + "' cannot be sent to Anthropic");
            }
        }
        return blocks;
    }

    private static void addText(ArrayNode blocks, String text, JsonNode cacheControl) {
        if (text.isEmpty()) {
            return; // Anthropic rejects empty text blocks
        }
        ObjectNode block = blocks.addObject();
        block.put("type", "text");
        block.put("text", text);
        if (cacheControl != null && cacheControl.isObject()) {
            block.set("cache_control", cacheControl.deepCopy());
        }
    }

    private ObjectNode image(JsonNode imageUrl, String where) throws ProviderFailure {
        String url = imageUrl == null
                ? ""
                : imageUrl.isTextual()
                        ? imageUrl.asText()
                        : imageUrl.path("url").asText("");
        ObjectNode block = Json.MAPPER.createObjectNode();
        block.put("type", "image");
        ObjectNode source = block.putObject("source");
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("data:")) {
            int comma = url.indexOf(',');
            String header = comma < 0 ? "" : url.substring(5, comma);
            if (!header.toLowerCase(Locale.ROOT).endsWith(";base64")) {
                throw badRequest(where + ": an image data URL must be base64-encoded (data:<type>;base64,...)");
            }
            int semicolon = header.indexOf(';');
            source.put("type", "base64");
            source.put("media_type", header.substring(0, semicolon));
            source.put("data", url.substring(comma + 1));
        } else if (lower.startsWith("https://") || lower.startsWith("http://")) {
            source.put("type", "url");
            source.put("url", url);
        } else {
            throw badRequest(where + ": image_url.url must be an http(s) URL or a base64 data URL");
        }
        return block;
    }

    private void addToolUses(JsonNode toolCalls, int i, ArrayNode blocks) throws ProviderFailure {
        for (int c = 0; c < toolCalls.size(); c++) {
            JsonNode call = toolCalls.get(c);
            String where = "messages[" + i + "].tool_calls[" + c + "]";
            JsonNode function = call.path("function");
            ObjectNode block = blocks.addObject();
            block.put("type", "tool_use");
            block.put("id", call.path("id").asText(""));
            block.put("name", function.path("name").asText(""));
            block.set("input", toolInput(function.get("arguments"), where));
        }
    }

    private JsonNode toolInput(JsonNode arguments, String where) throws ProviderFailure {
        if (arguments == null
                || arguments.isNull()
                || (arguments.isTextual() && arguments.asText().isBlank())) {
            return Json.MAPPER.createObjectNode();
        }
        if (arguments.isObject()) {
            return arguments.deepCopy();
        }
        try {
            JsonNode parsed = Json.MAPPER.readTree(arguments.asText());
            if (parsed != null && parsed.isObject()) {
                return parsed;
            }
        } catch (JacksonException e) {
            // reported below
        }
        throw badRequest(where + ".function.arguments: expected a JSON object, as Anthropic's tool_use input needs");
    }

    private ArrayNode toolResult(ObjectNode raw, int i) throws ProviderFailure {
        String id = raw.path("tool_call_id").asText("");
        if (id.isEmpty()) {
            throw badRequest("messages[" + i + "]: a tool message needs tool_call_id");
        }
        ArrayNode blocks = Json.MAPPER.createArrayNode();
        ObjectNode block = blocks.addObject();
        block.put("type", "tool_result");
        block.put("tool_use_id", id);
        JsonNode content = raw.get("content");
        if (content != null && content.isArray()) {
            block.set("content", contentBlocks(content, "messages[" + i + "]"));
        } else {
            block.put(
                    "content",
                    content == null || content.isNull()
                            ? ""
                            : content.isTextual() ? content.asText() : content.toString());
        }
        return blocks;
    }

    private ProviderFailure badRequest(String message) {
        return new ProviderFailure(ErrorKind.BAD_REQUEST, provider + ": " + message);
    }
}
