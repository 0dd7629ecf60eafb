package dev.llmrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Json;
import dev.llmrouter.request.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The OpenAI chat-completions wire format, both ways, for both sides of the router: the server reads
 * requests ({@link #readRequest}) and writes completions and stream chunks ({@link #writeCompletion},
 * {@code write...Chunk}); the provider client writes requests ({@link #writeRequest}) and reads completions
 * ({@link #readCompletion}) and, through {@link OpenAiStreamState}, stream chunks. What one side writes the
 * other reads, and a test holds them to that.
 */
public final class OpenAiWire {
    /** Request fields the router sets itself when it calls a provider. */
    private static final Set<String> OWN_FIELDS = Set.of("model", "messages", "stream", "stream_options");

    /** Request fields {@link #readRequest} reads into the request itself rather than its parameters. */
    private static final Set<String> READ_FIELDS =
            Set.of("messages", "max_tokens", "max_completion_tokens", "stream", "metadata", "model");

    private OpenAiWire() {}

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
    public static ChatRequest readRequest(ObjectNode body) {
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
            if (!READ_FIELDS.contains(e.getKey())) {
                parameters.put(e.getKey(), e.getValue());
            }
        });
        return new ChatRequest(messages, maxTokens, stream.asBoolean(false), parameters, metadata, riskClass);
    }

    /** The chat-completions body for {@code call}; {@code stream} decides the stream flag and options. */
    public static ObjectNode writeRequest(ProviderCall call, boolean stream) {
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

    /** Reads a non-streamed chat-completions answer, or throws the failure its {@code error} object names. */
    public static Completion readCompletion(String provider, ProviderCall call, JsonNode root) throws ProviderFailure {
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

    /** A chat completion: the answer as one choice, with {@code id} {@code chatcmpl-<id>}. */
    public static byte[] writeCompletion(Completion c, String model, String id) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.put("role", "assistant");
        message.put("content", c.text());
        if (!c.toolCalls().isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            c.toolCalls().forEach(calls::add);
        }
        ObjectNode choice = Json.MAPPER.createObjectNode();
        choice.put("index", 0);
        choice.set("message", message);
        choice.set("logprobs", logprobs(c));
        choice.put("finish_reason", c.finishReason());
        ObjectNode root = envelope("chat.completion", id, model);
        root.putArray("choices").add(choice);
        root.set("usage", usage(c));
        return bytes(root);
    }

    /** The stream's first chunk: the assistant role and empty content. */
    public static byte[] writeRoleChunk(String model, String id) {
        ObjectNode delta = Json.MAPPER.createObjectNode();
        delta.put("role", "assistant");
        delta.put("content", "");
        return chunk(model, id, delta, null, NullNode.getInstance());
    }

    /** A chunk of streamed text. */
    public static byte[] writeTextChunk(String model, String id, String text) {
        ObjectNode delta = Json.MAPPER.createObjectNode();
        delta.put("content", text);
        return chunk(model, id, delta, null, NullNode.getInstance());
    }

    /**
     * The chunks that end a stream of {@code c}: its tool calls (each with its {@code index}) when it made
     * any; the finish reason with the answer's log probabilities (a client that joins every chunk's gets
     * them all); and, when {@code includeUsage}, the usage chunk with no choices.
     */
    public static List<byte[]> writeFinalChunks(String model, String id, Completion c, boolean includeUsage) {
        List<byte[]> chunks = new ArrayList<>();
        if (!c.toolCalls().isEmpty()) {
            ObjectNode delta = Json.MAPPER.createObjectNode();
            ArrayNode calls = delta.putArray("tool_calls");
            int i = 0;
            for (JsonNode call : c.toolCalls()) {
                ObjectNode indexed = call.deepCopy();
                indexed.put("index", i++);
                calls.add(indexed);
            }
            chunks.add(chunk(model, id, delta, null, NullNode.getInstance()));
        }
        chunks.add(chunk(model, id, Json.MAPPER.createObjectNode(), c.finishReason(), logprobs(c)));
        if (includeUsage) {
            ObjectNode last = envelope("chat.completion.chunk", id, model);
            last.putArray("choices");
            last.set("usage", usage(c));
            chunks.add(bytes(last));
        }
        return chunks;
    }

    private static byte[] chunk(String model, String id, ObjectNode delta, String finishReason, JsonNode logprobs) {
        ObjectNode choice = Json.MAPPER.createObjectNode();
        choice.put("index", 0);
        choice.set("delta", delta);
        if (!logprobs.isNull()) {
            choice.set("logprobs", logprobs);
        }
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        ObjectNode root = envelope("chat.completion.chunk", id, model);
        root.putArray("choices").add(choice);
        return bytes(root);
    }

    /** OpenAI's {@code logprobs} of a choice: the provider's per-token entries, or null when it sent none. */
    private static JsonNode logprobs(Completion c) {
        if (c.logprobs().isEmpty()) {
            return NullNode.getInstance();
        }
        ObjectNode logprobs = Json.MAPPER.createObjectNode();
        ArrayNode content = logprobs.putArray("content");
        c.logprobs().forEach(content::add);
        return logprobs;
    }

    private static ObjectNode envelope(String object, String id, String model) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("id", "chatcmpl-" + id);
        root.put("object", object);
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", model);
        return root;
    }

    private static ObjectNode usage(Completion c) {
        ObjectNode usage = Json.MAPPER.createObjectNode();
        usage.put("prompt_tokens", c.usage().inputTokens());
        usage.put("completion_tokens", c.usage().outputTokens());
        usage.put("total_tokens", c.usage().inputTokens() + c.usage().outputTokens());
        return usage;
    }

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }
}
