package dev.llmrouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.request.Json;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * An OpenAI-compatible upstream on loopback whose behaviour is the requested model's name: 429 with
 * Retry-After, 500, 503, malformed JSON, a stall past the first-byte timeout, a connection cut mid-body or
 * mid-stream, a slow stream, an answer cut off at its length limit, a slow 503 ({@code sluggish-*}), and a
 * healthy answer (blocking or streamed, with logprobs when asked). It keeps the last body each model received.
 * TCP_NODELAY is on, as a real provider's would be, so its first token is not held back.
 */
final class FaultyUpstream implements AutoCloseable {
    private final WebServer server;
    /** The last request body each model received. */
    final java.util.Map<String, JsonNode> received = new java.util.concurrent.ConcurrentHashMap<>();

    FaultyUpstream() {
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .connectionOptions(io.helidon.common.socket.SocketOptions.builder()
                        .tcpNoDelay(true)
                        .build())
                .routing(r -> r.post("/v1/chat/completions", this::answer))
                .build()
                .start();
    }

    int port() {
        return server.port();
    }

    private void answer(ServerRequest req, ServerResponse res) throws IOException {
        JsonNode body = Json.MAPPER.readTree(req.content().as(byte[].class));
        String model = body.path("model").asText();
        boolean stream = body.path("stream").asBoolean(false);
        received.put(model, body);
        if (model.startsWith("sluggish")) {
            sleep(400);
            error(res, 503, "overloaded, slowly");
            return;
        }
        switch (model) {
            case "rate-limited" -> {
                res.header("Retry-After", "1");
                error(res, 429, "rate limit reached");
            }
            case "server-error" -> error(res, 500, "internal error");
            case "overloaded" -> error(res, 503, "overloaded");
            case "malformed" -> {
                res.header("Content-Type", "application/json");
                res.send("{\"choices\": [{\"message\": ".getBytes(StandardCharsets.UTF_8));
            }
            case "stalled" -> {
                sleep(3000);
                error(res, 500, "too late");
            }
            case "cut" -> cut(res, stream);
            case "slow" -> slow(res);
            case "truncated" -> truncated(res, stream);
            default -> healthy(res, model, stream, body.path("logprobs").asBoolean(false));
        }
    }

    /** The logprobs of "All is well." when asked for, as OpenAI writes them. */
    static final String LOGPROBS = "{\"content\":[{\"token\":\"All\",\"logprob\":-0.1,\"bytes\":[65,108,108],"
            + "\"top_logprobs\":[]},{\"token\":\" is well.\",\"logprob\":-0.2,\"bytes\":null,\"top_logprobs\":[]}]}";

    private static void healthy(ServerResponse res, String model, boolean stream, boolean logprobs) throws IOException {
        if (!stream) {
            res.header("Content-Type", "application/json");
            res.send(("{\"id\":\"x\",\"object\":\"chat.completion\",\"model\":\"" + model
                            + "\",\"choices\":[{\"index\":0,"
                            + "\"message\":{\"role\":\"assistant\",\"content\":\"All is well.\"},"
                            + (logprobs ? "\"logprobs\":" + LOGPROBS + "," : "")
                            + "\"finish_reason\":\"stop\"}],"
                            + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":4,\"total_tokens\":9}}")
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        res.header("Content-Type", "text/event-stream");
        try (OutputStream out = res.outputStream()) {
            for (String piece : new String[] {"All ", "is ", "well."}) {
                out.write(chunk(model, piece).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            out.write(("data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model
                            + "\",\"choices\":[{\"index\":0,\"delta\":{},"
                            + (logprobs ? "\"logprobs\":" + LOGPROBS + "," : "")
                            + "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Set when the router hung up on a slow stream before it ended. */
    final java.util.concurrent.atomic.AtomicBoolean slowStopped = new java.util.concurrent.atomic.AtomicBoolean();

    /** Streams a piece every 40 ms for 1.2 s. */
    private void slow(ServerResponse res) {
        res.header("Content-Type", "text/event-stream");
        try (OutputStream out = res.outputStream()) {
            for (int i = 0; i < 30; i++) {
                out.write(chunk("slow", "tick ").getBytes(StandardCharsets.UTF_8));
                out.flush();
                sleep(40);
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException | UncheckedIOException | io.helidon.webserver.CloseConnectionException e) {
            slowStopped.set(true);
        }
    }

    /** An answer cut off at its length limit: the cascade's gate sends it up. */
    private static void truncated(ServerResponse res, boolean stream) throws IOException {
        if (stream) {
            res.header("Content-Type", "text/event-stream");
            try (OutputStream out = res.outputStream()) {
                out.write((chunk("truncated", "The answer is")
                                + "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"model\":\"truncated\","
                                + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n"
                                + "data: [DONE]\n\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return;
        }
        res.header("Content-Type", "application/json");
        res.send(("{\"id\":\"x\",\"object\":\"chat.completion\",\"model\":\"truncated\",\"choices\":[{\"index\":0,"
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"The answer is\"},\"finish_reason\":\"length\"}],"
                        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}")
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Sends part of an answer, then breaks the connection. */
    private static void cut(ServerResponse res, boolean stream) throws IOException {
        res.header("Content-Type", stream ? "text/event-stream" : "application/json");
        OutputStream out = res.outputStream();
        out.write((stream ? chunk("cut", "Half an ") : "{\"id\":\"x\",\"choices\":[{\"mess")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        sleep(100);
        throw new UncheckedIOException(new IOException("connection cut on purpose"));
    }

    private static String chunk(String model, String text) {
        return "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"},\"finish_reason\":null}]}\n\n";
    }

    private static void error(ServerResponse res, int status, String message) {
        res.status(Status.create(status));
        res.header("Content-Type", "application/json");
        res.send(("{\"error\":{\"message\":\"" + message + "\",\"type\":\"server_error\"}}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
