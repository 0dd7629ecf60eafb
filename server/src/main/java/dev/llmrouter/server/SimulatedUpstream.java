package dev.llmrouter.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.catalog.Timeouts;
import dev.llmrouter.provider.Completion;
import dev.llmrouter.provider.OpenAiWire;
import dev.llmrouter.provider.ProviderCall;
import dev.llmrouter.provider.ProviderFailure;
import dev.llmrouter.provider.SimulatedProvider;
import dev.llmrouter.request.ChatRequest;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Map;

/**
 * An OpenAI-compatible upstream answered by {@link SimulatedProvider}: {@code POST /v1/chat/completions},
 * blocking only. It is what a load test calls directly to measure the router's own overhead, and what a
 * catalog's provider can point at to put a real HTTP hop behind the router. Every model answers with the
 * settings' tier-1 quality.
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
            request = OpenAiWire.readRequest(body).withStream(false);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        Completion completion;
        try {
            completion = provider.complete(new ProviderCall(model, request, Timeouts.DEFAULT));
        } catch (ProviderFailure failure) {
            throw new ApiError(
                    failure.httpStatus().orElse(500),
                    "server_error",
                    failure.kind().key(),
                    failure.getMessage(),
                    List.of());
        }
        OpenAiApi.send(res, 200, OpenAiWire.writeCompletion(completion, model, "simulated"));
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
