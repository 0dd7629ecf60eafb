package dev.llmrouter.server;

import dev.llmrouter.engine.RouteResult;
import dev.llmrouter.provider.ClientGone;
import dev.llmrouter.provider.OpenAiWire;
import dev.llmrouter.provider.StreamSink;
import dev.llmrouter.trace.Escalation;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Streams OpenAI chat-completion chunks as server-sent events, opening the stream at the first text. */
final class SseWriter implements StreamSink {
    private final ServerResponse res;
    private final String traceId;
    private final Caller caller;
    private OutputStream out;
    private String model = "";

    SseWriter(ServerResponse res, String traceId, Caller caller) {
        this.res = res;
        this.traceId = traceId;
        this.caller = caller;
    }

    @Override
    public void beforeAttempt() {
        caller.beforeAttempt();
    }

    boolean started() {
        return out != null;
    }

    @Override
    public void onModel(String served, Escalation escalation) {
        model = served;
        res.status(Status.OK_200);
        res.header("Content-Type", "text/event-stream");
        res.header("Cache-Control", "no-cache");
        OpenAiApi.headers(res, served, traceId, escalation);
        out = res.outputStream();
        event(OpenAiWire.writeRoleChunk(model, traceId));
    }

    @Override
    public void onText(String text) {
        event(OpenAiWire.writeTextChunk(model, traceId, text));
    }

    void finish(RouteResult.Served served, boolean includeUsage) {
        OpenAiWire.writeFinalChunks(model, traceId, served.completion(), includeUsage)
                .forEach(this::event);
        done();
    }

    void error(ApiError error) {
        write("data: " + new String(error.body(), StandardCharsets.UTF_8) + "\n\n");
        done();
    }

    private void event(byte[] json) {
        write("data: " + new String(json, StandardCharsets.UTF_8) + "\n\n");
    }

    private void done() {
        write("data: [DONE]\n\n");
        try {
            out.close();
        } catch (IOException | UncheckedIOException | CloseConnectionException e) {
            throw new ClientGone("the client went away at the end of the stream", e);
        }
    }

    private void write(String text) {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException | UncheckedIOException | CloseConnectionException e) {
            // Helidon reports a closed connection as any of these (4.5.0: ServerConnectionException)
            throw new ClientGone("the client went away mid-stream", e);
        }
    }
}
