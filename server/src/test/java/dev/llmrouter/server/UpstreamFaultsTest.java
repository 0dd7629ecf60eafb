package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.request.Json;
import dev.llmrouter.testing.LogFiles;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The server in front of a fault-injecting upstream on loopback: each fault ends in the documented fallback
 * or error, and the logged trace shows every attempt.
 */
class UpstreamFaultsTest {
    @TempDir
    static Path dir;

    static FaultyUpstream upstream;
    /** A listening socket that never accepts, its one-slot backlog filled: a connect to it hangs. */
    static ServerSocket full;

    static final List<java.net.Socket> FILLERS = new java.util.ArrayList<>();
    static RouterServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        upstream = new FaultyUpstream();
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        full = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        for (int i = 0; i < 8; i++) {
            java.net.Socket filler = new java.net.Socket();
            try {
                filler.connect(full.getLocalSocketAddress(), 200);
                FILLERS.add(filler);
            } catch (java.io.IOException e) {
                filler.close();
                break; // the backlog is full: connects now hang
            }
        }
        String catalog = new String(UpstreamFaultsTest.class
                        .getResourceAsStream("/faults-catalog.yaml")
                        .readAllBytes())
                .replace("PORT", Integer.toString(upstream.port()))
                .replace("CLOSED", Integer.toString(closed))
                .replace("FULL", Integer.toString(full.getLocalPort()));
        Files.writeString(dir.resolve("catalog.yaml"), catalog);
        Files.copy(UpstreamFaultsTest.class.getResourceAsStream("/faults-policy.yaml"), dir.resolve("policy.yaml"));
        Path config = Files.writeString(dir.resolve("server.yaml"), """
                server: {port: 0, management: {port: 0}}
                router:
                  catalog: catalog.yaml
                  policy: policy.yaml
                  classifier: heuristic
                  providers: real
                  trace: {dir: traces, prompts: full}
                """);
        server = RouterServer.start(
                config, Optional.empty(), Optional.empty(), Map.of("FAKE_KEY", "sk-secret-upstream-key"), dir);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        upstream.close();
        for (java.net.Socket s : FILLERS) {
            s.close();
        }
        full.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "rate-limited, rate_limited, 429",
        "server-error, server_error, 500",
        "overloaded, overloaded, 503",
        "malformed, server_error, 200",
        "stalled, timeout, ",
        "cut, server_error, ",
        "unreachable, server_error, ",
        "connect-timeout, timeout, "
    })
    void eachFaultFallsBackToTheHealthyModelAndTheTraceShowsIt(String fault, String kind, Integer status)
            throws Exception {
        HttpResponse<String> res = chat("router/" + fault, false);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals("healthy", res.headers().firstValue("x-router-model").orElseThrow());
        assertTrue(res.body().contains("All is well."), res.body());
        List<JsonNode> attempts =
                attempts(res.headers().firstValue("x-router-trace-id").orElseThrow());
        JsonNode first = attempts.getFirst();
        assertEquals(fault, first.path("model").asText());
        assertEquals(kind, first.path("error").path("kind").asText(), first.toString());
        if (status != null && status != 200) {
            assertEquals(
                    status.intValue(), first.path("error").path("http_status").asInt(), first.toString());
        }
        assertEquals("healthy", attempts.getLast().path("model").asText());
        assertEquals("fallback", attempts.getLast().path("role").asText());
        if (fault.equals("rate-limited")) {
            assertEquals(
                    "retry", attempts.get(1).path("role").asText(), "a Retry-After within the limit is waited once");
        }
    }

    @Test
    void whenEveryUpstreamFailsTheCallerGets502WithEachAttempt() throws Exception {
        HttpResponse<String> res = chat("router/only-failing", false);
        assertEquals(502, res.statusCode(), res.body());
        JsonNode error = Json.MAPPER.readTree(res.body()).path("error");
        assertEquals("upstream_failed", error.path("code").asText());
        assertEquals(2, error.path("details").size(), res.body());
        assertTrue(res.body().contains("overloaded (start): overloaded: fake answered HTTP 503"), res.body());
        assertTrue(res.body().contains("server-error (fallback): server_error: fake answered HTTP 500"), res.body());
        assertTrue(!res.body().contains("sk-secret-upstream-key"), "provider keys never reach an error");
        assertEquals(
                "false",
                res.headers().firstValue("x-should-retry").orElseThrow(),
                "the router already tried every model: an SDK must not start it all again");
        assertEquals(
                res.headers().firstValue("x-router-trace-id").orElseThrow(),
                res.headers().firstValue("x-request-id").orElseThrow());
    }

    @Test
    void whenEveryStrongerModelFailsTheAnswerAlreadyPaidForIsServed() throws Exception {
        for (boolean stream : List.of(false, true)) {
            HttpResponse<String> res = chat("router/escalation-fails", stream);
            assertEquals(200, res.statusCode(), res.body());
            assertEquals("truncated", res.headers().firstValue("x-router-model").orElseThrow());
            assertEquals(
                    "failed", res.headers().firstValue("x-router-escalated").orElseThrow());
            assertTrue(res.body().contains("The answer is"), res.body());
            List<JsonNode> attempts =
                    attempts(res.headers().firstValue("x-router-trace-id").orElseThrow());
            assertEquals(
                    List.of("truncated", "overloaded-strong"),
                    attempts.stream().map(a -> a.path("model").asText()).toList());
            assertEquals(
                    "escalate", attempts.get(0).path("gate").path("verdict").asText());
        }
    }

    @Test
    void theTighterOutputLimitIsWhatTheUpstreamGets() throws Exception {
        String body = "{\"model\":\"router/logprobs\",\"max_completion_tokens\":5,\"max_tokens\":100000,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Short, please.\"}]}";
        HttpResponse<String> res = post("/v1/chat/completions", body);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals(5, upstream.received.get("healthy").path("max_tokens").asInt(), upstream.received.toString());
    }

    @Test
    void logprobsAskedForReachTheUpstreamAndComeBack() throws Exception {
        for (boolean stream : List.of(false, true)) {
            String body = "{\"model\":\"router/logprobs\",\"logprobs\":true,\"stream\":" + stream
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"How are you?\"}]}";
            HttpResponse<String> res = post("/v1/chat/completions", body);
            assertEquals(200, res.statusCode(), res.body());
            assertTrue(upstream.received.get("healthy").path("logprobs").asBoolean(), "asked upstream");
            assertTrue(res.body().contains("{\"token\":\"All\",\"logprob\":-0.1"), res.body());
        }
        HttpResponse<String> none = post(
                "/v1/chat/completions",
                "{\"model\":\"router/overloaded\",\"logprobs\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertEquals(422, none.statusCode(), "no model of that route gives logprobs, and none is used silently");
        assertTrue(none.body().contains("logprobs"), none.body());
    }

    /**
     * With Nagle's algorithm on, a stream's second small write waits for the client's delayed acknowledgement
     * (about 40 ms on Linux) on a kept-alive connection. Compares medians of ten requests each; the bound is
     * loose, since a test must not depend on this machine's speed, and tight enough to see a 40 ms stall.
     */
    @Test
    void aStreamsFirstTokenOnAReusedConnectionIsNotHeldBack() {
        String direct = RawHttp.post(
                "/v1/chat/completions",
                "{\"model\":\"healthy\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        String routed = RawHttp.post(
                "/v1/chat/completions",
                "{\"model\":\"router/logprobs\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        RawHttp.firstTokenNanos(server.port(), routed, "All ", 5); // warm-up
        long upstreamMedian = median(RawHttp.firstTokenNanos(upstream.port(), direct, "All ", 11));
        long routerMedian = median(RawHttp.firstTokenNanos(server.port(), routed, "All ", 11));
        assertTrue(
                routerMedian - upstreamMedian < 25_000_000L,
                "first token through the router " + routerMedian / 1e6 + " ms against " + upstreamMedian / 1e6
                        + " ms directly");
    }

    static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    @Test
    void aCallerThatHangsUpOnABlockingRequestStopsTheFallbackChain() throws Exception {
        String body = "{\"model\":\"router/sluggish\",\"messages\":[{\"role\":\"user\",\"content\":\"Anyone?\"}]}";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.getOutputStream()
                    .write(RawHttp.post("/v1/chat/completions", body)
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Thread.sleep(150); // the first upstream call takes 400 ms, then fails
        }
        JsonNode trace = loggedTraceOfRoute("sluggish");
        assertEquals("client_closed", trace.path("outcome").asText(), trace.toString());
        assertEquals(1, trace.path("attempts").size(), "no fallback was paid for after the caller left: " + trace);
    }

    @Test
    void aStreamThatStallsBeforeItsFirstByteFallsBackUnnoticed() throws Exception {
        HttpResponse<String> res = chat("router/stalled", true);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals("healthy", res.headers().firstValue("x-router-model").orElseThrow());
        assertEquals(
                "false", res.headers().firstValue("x-router-escalated").orElseThrow(), "a fallback is no escalation");
        assertTrue(res.body().contains("\"content\":\"well.\""), res.body());
        assertTrue(res.body().trim().endsWith("data: [DONE]"), res.body());
    }

    @Test
    void aStreamCutAfterItsFirstByteEndsWithAnErrorEvent() throws Exception {
        HttpResponse<String> res = chat("router/cut", true);
        assertEquals(200, res.statusCode(), "the stream had begun");
        assertEquals("cut", res.headers().firstValue("x-router-model").orElseThrow());
        assertTrue(res.body().contains("Half an "), res.body());
        assertTrue(res.body().contains("\"error\""), res.body());
        assertTrue(res.body().trim().endsWith("data: [DONE]"), res.body());
    }

    @Test
    void aCallerThatHangsUpMidStreamStopsTheUpstreamAndIsCountedAndLogged() throws Exception {
        String body = "{\"model\":\"router/slow\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Tick for me\"}]}";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.getOutputStream()
                    .write(
                            ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                            + "Content-Length: " + body.length() + "\r\n\r\n" + body)
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            java.io.InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            while (!seen.toString().contains("tick")) {
                int b = in.read();
                assertTrue(b >= 0, "the stream ended before its first piece: " + seen);
                seen.append((char) b);
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        JsonNode trace = loggedTraceOfRoute("slow");
        assertEquals("client_closed", trace.path("outcome").asText(), trace.toString());
        assertEquals(1, trace.path("attempts").size(), "no other model was tried: " + trace);
        assertEquals(
                "client_closed",
                trace.path("attempts").get(0).path("error").path("kind").asText());
        while (!upstream.slowStopped.get() && System.nanoTime() < deadline) {
            Thread.sleep(20); // the upstream notices at its next writes
        }
        assertTrue(upstream.slowStopped.get(), "the upstream call was stopped before the stream ended");
        String metrics = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.managementPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(
                metrics.lines()
                        .anyMatch(l -> l.startsWith("llm_router_requests_total{")
                                && l.contains("outcome=\"client_closed\"")
                                && l.contains("route=\"slow\"")),
                metrics);
    }

    @Test
    void theTraceLogKeepsFullPromptsWhenAskedAndNeverAKey() throws Exception {
        HttpResponse<String> res = chat("router/server-error", false);
        attempts(res.headers().firstValue("x-router-trace-id").orElseThrow()); // its line is written
        String log = String.join("\n", lines());
        assertTrue(log.contains("\"prompt\":\"Is everything all right?\""), log);
        assertTrue(!log.contains("sk-secret-upstream-key"), "provider keys never reach a trace");
    }

    @Test
    void theLogWithFeedbackIsInputForTraining() throws Exception {
        HttpResponse<String> served = chat("router/overloaded", false);
        String traceId = served.headers().firstValue("x-router-trace-id").orElseThrow();
        HttpResponse<String> feedback = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/feedback"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"trace_id\":\"" + traceId + "\",\"score\":0.25}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, feedback.statusCode(), feedback.body());
        List<Path> files;
        try (Stream<Path> list = Files.list(dir.resolve("traces"))) {
            files = list.sorted().toList();
        }
        List<dev.llmrouter.evalsets.LabelledRecord> records =
                dev.llmrouter.evalsets.RecordLoader.load(files, false).records();
        dev.llmrouter.evalsets.LabelledRecord record =
                records.stream().filter(r -> r.id().equals(traceId)).findFirst().orElseThrow();
        assertEquals("Is everything all right?", record.prompt());
        assertEquals("overloaded", record.category(), "the route");
        assertEquals(
                Map.of("healthy", 0.25),
                Map.of("healthy", record.outcomes().get("healthy").score()));
        assertEquals(1, record.outcomes().size(), "the failed attempt is no label");
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> chat(String model, boolean stream) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Is everything all right?\"}]}";
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The attempts of a trace, waiting for its line: the log is written after the answer went out. */
    static List<JsonNode> attempts(String traceId) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        do {
            for (String line : lines()) {
                JsonNode node = Json.MAPPER.readTree(line);
                if (node.path("trace").path("trace_id").asText().equals(traceId)) {
                    List<JsonNode> out = new java.util.ArrayList<>();
                    node.path("trace").path("attempts").forEach(out::add);
                    return out;
                }
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no trace " + traceId + " in the log");
    }

    /** The first logged trace of {@code route}, waiting up to 5 s for it: the log follows the answer. */
    static JsonNode loggedTraceOfRoute(String route) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        do {
            java.util.Optional<JsonNode> trace = lines().stream()
                    .map(UpstreamFaultsTest::parse)
                    .map(line -> line.path("trace"))
                    .filter(t -> t.path("route").asText().equals(route))
                    .findFirst();
            if (trace.isPresent()) {
                return trace.get();
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no trace of route " + route + " was logged");
    }

    static JsonNode parse(String line) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The trace log's whole lines: one being written as the test reads is left for the next look. */
    static List<String> lines() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("traces"))) {
            List<String> all = new java.util.ArrayList<>();
            for (Path f : files.sorted().toList()) {
                all.addAll(LogFiles.wholeLines(f));
            }
            return all;
        }
    }
}
