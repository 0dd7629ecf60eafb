package dev.llmrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.OptionalInt;

/**
 * What an Anthropic Messages stream has said so far. Events handled: {@code message_start} (model, input
 * tokens), {@code content_block_start} (text or tool_use blocks), {@code content_block_delta}
 * ({@code text_delta} forwarded to the sink, {@code input_json_delta} accumulated per block),
 * {@code message_delta} (stop reason, output tokens), {@code message_stop} (the end) and {@code error}
 * (mapped by its {@code error.type}); {@code ping} and unknown events are ignored.
 */
final class AnthropicStreamState implements JsonApiClient.StreamState {
    private final String provider;
    private final StreamSink sink;
    private final StringBuilder text = new StringBuilder();
    private final ToolCallAccumulator toolCalls = new ToolCallAccumulator();
    private String stopReason = "";
    private String model = "";
    private OptionalInt inputTokens = OptionalInt.empty();
    private OptionalInt outputTokens = OptionalInt.empty();
    private boolean stopped;

    AnthropicStreamState(String provider, StreamSink sink) {
        this.provider = provider;
        this.sink = sink;
    }

    /**
     * Reads the whole stream. One that ends, or whose connection breaks, before {@code message_stop} and
     * before any stop reason fails with {@link ErrorKind#SERVER_ERROR}.
     */
    @Override
    public void consume(InputStream body) throws ProviderFailure {
        try {
            SseReader.read(body, event -> onEvent(event.name(), event.data()));
        } catch (IOException e) {
            if (!complete()) {
                throw incomplete();
            }
        }
        if (!complete()) {
            throw incomplete();
        }
    }

    private ProviderFailure incomplete() {
        return new ProviderFailure(ErrorKind.SERVER_ERROR, provider + ": stream ended before the answer was complete");
    }

    private boolean complete() {
        return stopped || !stopReason.isEmpty();
    }

    /** Handles one event; returns false at {@code message_stop}. */
    boolean onEvent(String name, String data) throws ProviderFailure {
        JsonNode event = ResponseSupport.parseEvent(provider, data);
        String type = ResponseSupport.text(event, "type", name);
        switch (type) {
            case "message_start" -> {
                JsonNode message = event.path("message");
                model = ResponseSupport.text(message, "model", model);
                inputTokens = ResponseSupport.count(message.path("usage"), "input_tokens");
            }
            case "content_block_start" -> onBlockStart(event.path("index").asInt(0), event.path("content_block"));
            case "content_block_delta" -> onBlockDelta(event.path("index").asInt(0), event.path("delta"));
            case "message_delta" -> onMessageDelta(event);
            case "message_stop" -> {
                stopped = true;
                return false;
            }
            case "error" -> throw HttpErrorMapping.fromErrorObject(provider, event.path("error"));
            default -> {
                // ping, content_block_stop and future events carry nothing the router needs
            }
        }
        return true;
    }

    private void onBlockStart(int index, JsonNode block) {
        String type = block.path("type").asText();
        if (type.equals("text")) {
            emit(block.path("text").asText(""));
        } else if (type.equals("tool_use")) {
            toolCalls.add(index, block.path("id").asText(""), block.path("name").asText(""), "");
            toolCalls.defaultArguments(index, AnthropicClient.arguments(block.path("input")));
        }
    }

    private void onBlockDelta(int index, JsonNode delta) {
        switch (delta.path("type").asText()) {
            case "text_delta" -> emit(delta.path("text").asText(""));
            case "input_json_delta" -> {
                if (toolCalls.contains(index)) {
                    toolCalls.add(index, "", "", delta.path("partial_json").asText(""));
                }
            }
            default -> {
                // thinking and signature deltas are not part of the OpenAI answer
            }
        }
    }

    private void onMessageDelta(JsonNode event) {
        String reason = ResponseSupport.text(event.path("delta"), "stop_reason", "");
        if (!reason.isEmpty()) {
            stopReason = reason;
        }
        JsonNode usage = event.path("usage");
        OptionalInt output = ResponseSupport.count(usage, "output_tokens");
        if (output.isPresent()) {
            outputTokens = output;
        }
        OptionalInt input = ResponseSupport.count(usage, "input_tokens");
        if (input.isPresent() && inputTokens.isEmpty()) {
            inputTokens = input;
        }
    }

    private void emit(String piece) {
        if (!piece.isEmpty()) {
            text.append(piece);
            sink.onText(piece);
        }
    }

    /** The whole answer; call after {@link #consume} returned. */
    @Override
    public Completion toCompletion(ProviderCall call) {
        List<JsonNode> calls = toolCalls.toolCalls();
        String finish = AnthropicClient.finishReason(stopReason, !calls.isEmpty());
        Usage usage = ResponseSupport.usage(inputTokens, outputTokens, call.request(), text.toString(), calls);
        String upstream = model.isEmpty() ? call.upstreamModel() : model;
        return new Completion(text.toString(), finish, calls, usage, List.of(), upstream);
    }
}
