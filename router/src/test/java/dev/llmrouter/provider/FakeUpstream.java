package dev.llmrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.llmrouter.request.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A scripted upstream on loopback ({@code 127.0.0.1}, an ephemeral port) for provider client tests. Each
 * request takes the next queued {@link Reply} (a 500 when none is left) and is recorded as {@link Received}.
 * Replies can be plain bodies, chunked event streams with pauses, streams that stall until the upstream is
 * closed, and streams whose connection is cut without the closing chunk.
 */
final class FakeUpstream implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "fake-upstream");
        thread.setDaemon(true);
        return thread;
    });
    private final ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    FakeUpstream() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@code http://127.0.0.1:<port>} followed by {@code path}. */
    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** Queues the reply for the next request. */
    FakeUpstream enqueue(Reply reply) {
        replies.add(reply);
        return this;
    }

    /** Every request received so far, oldest first. */
    List<Received> received() {
        return List.copyOf(received);
    }

    /** The one request received; fails when there were none or several. */
    Received onlyRequest() {
        if (received.size() != 1) {
            throw new AssertionError("expected exactly one request, got " + received.size());
        }
        return received.get(0);
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders()
                .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        received.add(new Received(
                exchange.getRequestMethod(),
                exchange.getRequestURI().getPath(),
                headers,
                new String(body, StandardCharsets.UTF_8)));
        Reply reply = replies.poll();
        if (reply == null) {
            reply = Reply.json(500, "{\"error\":{\"message\":\"no scripted reply left\"}}");
        }
        play(exchange, reply);
    }

    private void play(HttpExchange exchange, Reply reply) throws IOException {
        if (reply.stallBeforeHeaders) {
            awaitClose();
            return;
        }
        reply.headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        boolean fixedLength = reply.steps.stream().allMatch(step -> step instanceof Step.Send);
        if (fixedLength) {
            StringBuilder all = new StringBuilder();
            reply.steps.forEach(step -> all.append(((Step.Send) step).text()));
            byte[] bytes = all.toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
            return;
        }
        exchange.sendResponseHeaders(reply.status, 0);
        OutputStream out = exchange.getResponseBody();
        for (Step step : reply.steps) {
            switch (step) {
                case Step.Send send -> {
                    out.write(send.text().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                case Step.Pause pause -> sleep(pause.duration());
                case Step.Stall stall -> {
                    awaitClose();
                    return;
                }
                case Step.Cut cut -> throw new IllegalStateException("scripted connection cut");
            }
        }
        out.close();
    }

    private void awaitClose() {
        try {
            closed.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One request as the upstream saw it; header names are lower case. */
    record Received(String method, String path, Map<String, List<String>> headers, String body) {
        Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        ObjectNode json() {
            try {
                return (ObjectNode) Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Every header value joined, to check that a secret is absent or present. */
        String allHeaderText() {
            return headers.toString();
        }
    }

    /** A step of a scripted reply body. */
    sealed interface Step {
        record Send(String text) implements Step {}

        record Pause(Duration duration) implements Step {}

        record Stall() implements Step {}

        record Cut() implements Step {}
    }

    /** A scripted reply: status, headers and the body steps, built fluently. */
    static final class Reply {
        private final int status;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final List<Step> steps = new ArrayList<>();
        private boolean stallBeforeHeaders;

        private Reply(int status) {
            this.status = status;
        }

        /** A JSON body sent with a content length. */
        static Reply json(int status, String body) {
            return new Reply(status).header("Content-Type", "application/json").send(body);
        }

        /** A JSON body from a tree. */
        static Reply json(int status, JsonNode body) {
            return json(status, body.toString());
        }

        /** A 200 {@code text/event-stream}; add events with {@link #data} and {@link #event}. */
        static Reply sse() {
            return new Reply(200).header("Content-Type", "text/event-stream");
        }

        /** Never sends even the headers, until the upstream is closed. */
        static Reply silent() {
            Reply reply = new Reply(200);
            reply.stallBeforeHeaders = true;
            return reply;
        }

        Reply header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /** Raw body text. */
        Reply send(String text) {
            steps.add(new Step.Send(text));
            return this;
        }

        /** An SSE event with only a data field. */
        Reply data(String data) {
            return send("data: " + data + "\n\n");
        }

        /** An SSE event with a name and a data field. */
        Reply event(String name, String data) {
            return send("event: " + name + "\ndata: " + data + "\n\n");
        }

        Reply pause(Duration duration) {
            steps.add(new Step.Pause(duration));
            return this;
        }

        /** Stops sending, keeping the connection open, until the upstream is closed. */
        Reply stall() {
            steps.add(new Step.Stall());
            return this;
        }

        /** Drops the connection without finishing the chunked body. */
        Reply cut() {
            steps.add(new Step.Cut());
            return this;
        }
    }
}
