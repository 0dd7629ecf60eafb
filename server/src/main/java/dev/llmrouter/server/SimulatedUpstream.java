package dev.llmrouter.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.catalog.Timeouts;
import dev.llmrouter.provider.Completion;
import dev.llmrouter.provider.OpenAiWire;
import dev.llmrouter.provider.ProviderCall;
import dev.llmrouter.provider.ProviderFailure;
import dev.llmrouter.provider.SimulatedProvider;
import dev.llmrouter.provider.StreamSink;
import dev.llmrouter.request.ChatRequest;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * An OpenAI-compatible upstream answered by {@link SimulatedProvider}: {@code POST /v1/chat/completions},
 * whole or, with {@code stream: true}, as server-sent chunks (a word each, the usage chunk when
 * {@code stream_options.include_usage} asks for it, then {@code [DONE]}). It is what a load test calls
 * directly to measure the router's own overhead, and what a catalog's provider can point at to put a real
 * HTTP hop behind the router. Every model answers with the settings' tier-1 quality.
 */
public final class SimulatedUpstream implements AutoCloseable {
    private final WebServer server;

    private SimulatedUpstream(WebServer server) {
        this.server = server;
    }

    public static SimulatedUpstream start(String host, int port, SimulatedProvider.Settings settings) {
        SimulatedProvider provider = new SimulatedProvider(settings, Map.of());
        Gatekeeper body = new Gatekeeper(List.of(), 1_048_576);
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .connectionOptions(io.helidon.common.socket.SocketOptions.builder()
                        .tcpNoDelay(true)
                        .build())
                .routing(r -> r.post("/v1/chat/completions", (req, res) -> answer(provider, body, req, res))
                        .error(ApiError.class, (req, res, e) -> OpenAiApi.send(res, e.status(), e.body())))
                .build()
                .start();
        return new SimulatedUpstream(server);
    }

    private static void answer(
            SimulatedProvider provider, Gatekeeper gatekeeper, ServerRequest req, ServerResponse res) {
        ObjectNode body = gatekeeper.jsonBody(req);
        String model = body.path("model").asText("simulated");
        ChatRequest request;
        try {
            request = OpenAiWire.readRequest(body);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        ProviderCall call = new ProviderCall(model, request, Timeouts.DEFAULT);
        Completion completion;
        Chunks chunks = new Chunks(res, model);
        try {
            completion = request.stream() ? provider.stream(call, chunks) : provider.complete(call);
        } catch (ProviderFailure failure) {
            throw new ApiError(
                    failure.httpStatus().orElse(500),
                    "server_error",
                    failure.kind().key(),
                    failure.getMessage(),
                    List.of());
        }
        if (!request.stream()) {
            OpenAiApi.send(res, 200, OpenAiWire.writeCompletion(completion, model, "simulated"));
            return;
        }
        boolean usage = body.path("stream_options").path("include_usage").asBoolean(false);
        OpenAiWire.writeFinalChunks(model, "simulated", completion, usage).forEach(chunks::event);
        chunks.event("[DONE]".getBytes(StandardCharsets.UTF_8));
        try {
            chunks.out().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The answer's text as it is produced, one chunk a word; the stream opens at the first. */
    private static final class Chunks implements StreamSink {
        private final ServerResponse res;
        private final String model;
        private OutputStream out;

        Chunks(ServerResponse res, String model) {
            this.res = res;
            this.model = model;
        }

        OutputStream out() {
            if (out == null) {
                res.status(200);
                res.header("Content-Type", "text/event-stream");
                res.header("Cache-Control", "no-cache");
                out = res.outputStream();
                event(OpenAiWire.writeRoleChunk(model, "simulated"));
            }
            return out;
        }

        @Override
        public void onText(String delta) {
            event(OpenAiWire.writeTextChunk(model, "simulated", delta));
        }

        void event(byte[] data) {
            try {
                OutputStream stream = out();
                stream.write("data: ".getBytes(StandardCharsets.UTF_8));
                stream.write(data);
                stream.write("\n\n".getBytes(StandardCharsets.UTF_8));
                stream.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
