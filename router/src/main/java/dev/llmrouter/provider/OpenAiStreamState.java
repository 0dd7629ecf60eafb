package dev.llmrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * What an OpenAI chat-completions stream has said so far: text (forwarded to the sink as it arrives),
 * finish reason, tool calls merged by index, log probabilities, the model and the final usage chunk.
 * One per stream, used on the reading thread only.
 */
final class OpenAiStreamState implements JsonApiClient.StreamState {
    private final String provider;
    private final StreamSink sink;
    private final StringBuilder text = new StringBuilder();
    private final ToolCallAccumulator toolCalls = new ToolCallAccumulator();
    private final List<JsonNode> logprobs = new ArrayList<>();
    private String finishReason = "";
    private String model = "";
    private OptionalInt inputTokens = OptionalInt.empty();
    private OptionalInt outputTokens = OptionalInt.empty();
    private boolean done;

    OpenAiStreamState(String provider, StreamSink sink) {
        this.provider = provider;
        this.sink = sink;
    }

    /**
     * Reads the whole stream. A stream that ends, or whose connection breaks, before {@code [DONE]} and
     * before any finish reason fails with {@link ErrorKind#SERVER_ERROR}.
     */
    @Override
    public void consume(InputStream body) throws ProviderFailure {
        try {
            SseReader.read(body, event -> onData(event.data()));
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
        return done || !finishReason.isEmpty();
    }

    /** Handles one {@code data:} payload; returns false at {@code [DONE]}. */
    boolean onData(String data) throws ProviderFailure {
        if (data.strip().equals("[DONE]")) {
            done = true;
            return false;
        }
        JsonNode chunk = ResponseSupport.parseEvent(provider, data);
        JsonNode error = chunk.get("error");
        if (error != null && !error.isNull()) {
            throw HttpErrorMapping.fromErrorObject(provider, error);
        }
        if (model.isEmpty()) {
            model = ResponseSupport.text(chunk, "model", "");
        }
        JsonNode usage = chunk.path("usage");
        if (usage.isObject()) {
            inputTokens = ResponseSupport.count(usage, "prompt_tokens");
            outputTokens = ResponseSupport.count(usage, "completion_tokens");
        }
        for (JsonNode choice : chunk.path("choices")) {
            if (choice.path("index").asInt(0) == 0) {
                onChoice(choice);
            }
        }
        return true;
    }

    private void onChoice(JsonNode choice) {
        JsonNode delta = choice.path("delta");
        String piece = OpenAiWire.contentText(delta.path("content"));
        if (!piece.isEmpty()) {
            text.append(piece);
            sink.onText(piece);
        }
        JsonNode calls = delta.path("tool_calls");
        for (JsonNode call : calls) {
            onToolCallDelta(call);
        }
        String finish = ResponseSupport.text(choice, "finish_reason", "");
        if (!finish.isEmpty()) {
            finishReason = finish;
        }
        OpenAiWire.addLogprobs(choice, logprobs);
    }

    private void onToolCallDelta(JsonNode call) {
        String id = ResponseSupport.text(call, "id", "");
        JsonNode given = call.path("index");
        int last = toolCalls.lastIndex();
        int index;
        if (given.isIntegralNumber() && given.canConvertToInt()) {
            index = given.asInt();
        } else if (last < 0 || (!id.isEmpty() && !toolCalls.idAt(last).equals(id))) {
            index = last + 1; // no index but a new id: the next call (servers that omit the index)
        } else {
            index = last;
        }
        JsonNode function = call.path("function");
        toolCalls.add(
                index, id, ResponseSupport.text(function, "name", ""), ResponseSupport.text(function, "arguments", ""));
    }

    /** The whole answer; call after {@link #consume} returned. */
    @Override
    public Completion toCompletion(ProviderCall call) {
        List<JsonNode> calls = toolCalls.toolCalls();
        String finish = OpenAiWire.normaliseFinish(finishReason, !calls.isEmpty());
        Usage usage = ResponseSupport.usage(inputTokens, outputTokens, call.request(), text.toString(), calls);
        String upstream = model.isEmpty() ? call.upstreamModel() : model;
        return new Completion(text.toString(), finish, calls, usage, logprobs, upstream);
    }
}
