package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.request.Json;
import dev.llmrouter.testing.LogFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The server as an attacker or a careless client meets it, over raw sockets: request framing that could
 * smuggle a second request, bodies the parser must refuse cleanly, slow senders, HTTP/1.0, requests a web
 * page could forge, and an id on every answer.
 */
class HttpHygieneTest {
    static final String KEY = "hygiene-key";
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Duration QUIET = Duration.ofMillis(1500);
    /** A request that must never be answered when it arrives as the unread body of another. */
    static final String SMUGGLED =
            "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + KEY + "\r\n\r\n";

    @TempDir
    static Path dir;

    static RouterServer keyed;
    static RouterServer open;

    @BeforeAll
    static void start() throws Exception {
        keyed = server("keyed.yaml", "api_keys: [" + KEY + "]");
        open = server("open.yaml", "api_keys: []");
    }

    static RouterServer server(String name, String keys) throws Exception {
        Path config = Files.writeString(dir.resolve(name), """
                server:
                  port: 0
                  management: {port: 0}
                  limits: {header_timeout: 1s, body_timeout: 1s}
                router:
                  catalog: %s/config/catalog.yaml
                  policy: %s/config/policy.yaml
                  classifier: heuristic
                  providers: simulated
                  %s
                  trace: {dir: %s/traces-%s, prompts: none}
                  simulated: {latency_ms: 0, error_rate: 0}
                """.formatted(REPO, REPO, keys, dir, name));
        return RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), dir);
    }

    @AfterAll
    static void stop() {
        keyed.close();
        open.close();
    }

    static String chat() {
        return "{\"model\":\"router\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
    }

    static Stream<Arguments> smuggling() {
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer " + KEY + "\r\n";
        return Stream.of(
                Arguments.of(
                        "a declared length over the limit, with Connection: close",
                        head + "Content-Length: 2000000\r\nConnection: close\r\n\r\n",
                        413),
                Arguments.of("Transfer-Encoding: xchunked", head + "Transfer-Encoding: xchunked\r\n\r\n", 400),
                Arguments.of(
                        "Transfer-Encoding: gzip, chunked", head + "Transfer-Encoding: gzip, chunked\r\n\r\n", 400),
                Arguments.of(
                        "Transfer-Encoding twice",
                        head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                        400),
                Arguments.of("a negative Content-Length", head + "Content-Length: -5\r\n\r\n", 400),
                Arguments.of(
                        "two Content-Lengths that differ",
                        head + "Content-Length: 5\r\nContent-Length: 7\r\n\r\n",
                        400),
                Arguments.of(
                        "one Content-Length repeated", head + "Content-Length: 46\r\nContent-Length: 46\r\n\r\n", 400),
                Arguments.of(
                        "Content-Length beside Transfer-Encoding",
                        head + "Content-Length: 46\r\nTransfer-Encoding: chunked\r\n\r\n",
                        400),
                Arguments.of(
                        "a refused key before the body is read",
                        "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                + "Content-Length: " + SMUGGLED.length() + "\r\n\r\n",
                        401),
                Arguments.of(
                        "a refused media type before the body is read",
                        "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
                                + "Authorization: Bearer " + KEY + "\r\nContent-Length: " + SMUGGLED.length()
                                + "\r\n\r\n",
                        415));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smuggling")
    void bytesAfterAnEarlyAnswerAreNeverTakenForANextRequest(String name, String head, int status) {
        RawHttp.Exchange ex = RawHttp.send(keyed.port(), head + SMUGGLED, QUIET);
        assertEquals(List.of(status), ex.statuses(), ex.text());
        assertTrue(ex.closed(), "the connection is closed after: " + ex.text());
        assertEquals("close", ex.header("Connection"), "and the answer says so, so no client reuses it");
        assertFalse(ex.text().contains("\"object\":\"list\""), "the smuggled GET was never answered");
        assertEquals("application/json", ex.header("Content-Type"), ex.text());
        assertFalse(ex.header("x-router-trace-id").isEmpty(), ex.text());
    }

    @Test
    void wellFramedRequestsKeepTheConnectionAndPipelineInOrder() {
        String models = "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + KEY + "\r\n\r\n";
        RawHttp.Exchange ex = RawHttp.send(
                keyed.port(),
                RawHttp.post("/v1/chat/completions", chat(), "Authorization: Bearer " + KEY) + models,
                QUIET);
        assertEquals(List.of(200, 200), ex.statuses(), ex.text());
        assertFalse(ex.closed(), "kept alive");
    }

    @Test
    void connectionCloseFromTheClientIsHonoured() {
        RawHttp.Exchange ex = RawHttp.send(
                keyed.port(),
                RawHttp.post("/v1/chat/completions", chat(), "Authorization: Bearer " + KEY, "Connection: close")
                        + SMUGGLED,
                QUIET);
        assertEquals(List.of(200), ex.statuses(), ex.text());
        assertTrue(ex.closed());
    }

    @Test
    void http10IsRefusedWithABodyThatSaysWhat() throws Exception {
        for (String path : List.of("/v1/models", "/health")) {
            RawHttp.Exchange ex =
                    RawHttp.send(keyed.port(), "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n", QUIET);
            assertEquals(List.of(505), ex.statuses(), ex.text());
            JsonNode error = Json.MAPPER.readTree(ex.body()).path("error");
            assertTrue(error.path("message").asText().contains("HTTP/1.1"), ex.text());
            assertFalse(ex.header("x-request-id").isEmpty());
        }
    }

    static Stream<Arguments> badJson() {
        String deep = "{\"model\":\"router\",\"x\":" + "[".repeat(1001) + "]".repeat(1001) + "}";
        String longNumber = "{\"model\":\"router\",\"temperature\":" + "9".repeat(5000) + "}";
        String longKey = "{\"model\":\"router\",\"" + "k".repeat(60_000) + "\":1}";
        return Stream.of(
                Arguments.of("nested 1,001 levels deep", deep, "nesting 128 levels"),
                Arguments.of("a 5,000-digit number", longNumber, "numbers 100 digits"),
                Arguments.of("a 60,000-character key", longKey, "field names 1024 characters"),
                Arguments.of("data after the object", chat() + " {\"more\": 1}", "Trailing token"),
                Arguments.of(
                        "bytes that look like UTF-32 (found by Jazzer)",
                        "z\u0000\u0000\u0000\u0000",
                        "not JSON in UTF-8"),
                Arguments.of(
                        "a key given twice",
                        "{\"model\":\"router\",\"model\":\"gpt-4o\",\"messages\":[]}",
                        "Duplicate field 'model'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJson")
    void jsonBeyondTheParsersLimitsIsA400(String name, String body, String message) throws Exception {
        RawHttp.Exchange ex = RawHttp.send(
                keyed.port(), RawHttp.post("/v1/chat/completions", body, "Authorization: Bearer " + KEY), QUIET);
        assertEquals(List.of(400), ex.statuses(), ex.text());
        String text =
                Json.MAPPER.readTree(ex.body()).path("error").path("message").asText();
        assertTrue(text.contains(message), text);
        assertTrue(text.length() < 600, "the message stays short: " + text.length());
    }

    static Stream<Arguments> errors() {
        String auth = "Authorization: Bearer " + KEY;
        return Stream.of(
                Arguments.of(400, RawHttp.post("/v1/chat/completions", "{\"model\":", auth)),
                Arguments.of(401, RawHttp.post("/v1/chat/completions", chat())),
                Arguments.of(
                        403,
                        RawHttp.post(
                                "/v1/chat/completions",
                                "{\"model\":\"gpt-4o\",\"metadata\":{\"risk_class\":\"confidential\"},"
                                        + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                                auth)),
                Arguments.of(404, RawHttp.post("/v1/nothing", chat(), auth)),
                Arguments.of(
                        413,
                        RawHttp.post(
                                "/v1/chat/completions",
                                "{\"model\":\"router\",\"x\":\"" + "y".repeat(1_100_000) + "\"}",
                                auth)),
                Arguments.of(
                        415,
                        RawHttp.post("/v1/chat/completions", chat(), auth).replace("application/json", "text/plain")),
                Arguments.of(
                        422,
                        RawHttp.post(
                                "/v1/chat/completions",
                                "{\"model\":\"router\",\"metadata\":{\"risk_class\":\"nope\"},"
                                        + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                                auth)),
                Arguments.of(505, "GET /v1/models HTTP/1.0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void everyErrorCarriesTheIdsAnSdkReads(int status, String request) {
        RawHttp.Exchange ex = RawHttp.send(keyed.port(), request, QUIET);
        assertEquals(status, ex.status(), ex.text());
        String id = ex.header("x-router-trace-id");
        assertEquals(36, id.length(), ex.text());
        assertEquals(id, ex.header("x-request-id"));
        assertTrue(ex.body().startsWith("{\"error\":"), ex.text());
    }

    @Test
    void aTraceKeepsLittleOfWhatACallerFillsFreely() throws Exception {
        String metadata = "{\"note\":\"" + "n".repeat(900_000) + "\",\"team\":\"search\"}";
        String body = "{\"model\":\"router\",\"metadata\":" + metadata
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Big metadata\"}]}";
        RawHttp.Exchange ex = RawHttp.send(
                keyed.port(), RawHttp.post("/v1/chat/completions", body, "Authorization: Bearer " + KEY), QUIET);
        assertEquals(
                200, ex.status(), ex.text().substring(0, Math.min(500, ex.text().length())));
        String id = ex.header("x-router-trace-id");
        long deadline = System.nanoTime() + 5_000_000_000L;
        Optional<String> line = Optional.empty();
        while (line.isEmpty() && System.nanoTime() < deadline) {
            try (Stream<Path> files = Files.list(dir.resolve("traces-keyed.yaml"))) {
                for (Path f : files.toList()) {
                    line = LogFiles.wholeLines(f).stream()
                            .filter(l -> l.contains(id))
                            .findFirst()
                            .or(() -> Optional.empty());
                    if (line.isPresent()) {
                        break;
                    }
                }
            }
            Thread.sleep(20);
        }
        assertTrue(line.isPresent(), "the trace was logged");
        assertTrue(
                line.get().length() < 20_000,
                "a 900 KB field makes a small line: " + line.get().length());
        JsonNode request = Json.MAPPER.readTree(line.get()).path("trace").path("request");
        assertEquals("search", request.path("metadata").path("team").asText());
        assertEquals(1, request.path("metadata_capped").asInt());
    }

    @Test
    void headersSentSlowerThanTheHeaderTimeoutGet408() {
        long started = System.nanoTime();
        RawHttp.Exchange ex = RawHttp.drip(
                keyed.port(),
                "GET /v1/models HTTP/1.1\r\n",
                "Host: localhost\r\nX-Slow: " + "a".repeat(40) + "\r\n\r\n",
                Duration.ofMillis(250),
                QUIET);
        assertEquals(List.of(408), ex.statuses(), ex.text());
        assertTrue(ex.closed());
        assertTrue(ex.body().contains("header_timeout"), ex.text());
        assertTrue(System.nanoTime() - started < 8_000_000_000L, "given up on well before the drip ended");
    }

    @Test
    void aBodyDrippedSlowerThanTheBodyTimeoutGets408() {
        String body = chat();
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer " + KEY + "\r\nContent-Length: " + body.length() + "\r\n\r\n";
        RawHttp.Exchange ex = RawHttp.drip(keyed.port(), head, body, Duration.ofMillis(250), QUIET);
        assertEquals(List.of(408), ex.statuses(), ex.text());
        assertTrue(ex.closed());
        assertTrue(ex.body().contains("body_timeout"), ex.text());
    }

    @Test
    void aBodyThatNeverComesGets408AndAClosedConnection() {
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer " + KEY + "\r\nContent-Length: 100\r\n\r\n{";
        RawHttp.Exchange ex = RawHttp.send(keyed.port(), head, Duration.ofSeconds(6));
        assertEquals(List.of(408), ex.statuses(), ex.text());
        assertTrue(ex.closed());
    }

    @Test
    void oneClientMayHaveOnlySoManyRequestsInProgress() throws Exception {
        Path config = Files.writeString(dir.resolve("per-client.yaml"), """
                server:
                  port: 0
                  management: {port: 0}
                  limits: {max_requests_per_client: 1}
                router:
                  catalog: %1$s/config/catalog.yaml
                  policy: %1$s/config/policy.yaml
                  classifier: heuristic
                  trace: {dir: ""}
                  simulated: {latency_ms: 600, error_rate: 0, quality: {1: 1, 2: 1, 3: 1}}
                """.formatted(REPO));
        try (RouterServer limited = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), dir)) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            List<java.util.concurrent.Future<RawHttp.Exchange>> both = pool.invokeAll(List.of(
                    () -> RawHttp.send(limited.port(), RawHttp.post("/v1/chat/completions", chat()), QUIET), () -> {
                        Thread.sleep(200);
                        return RawHttp.send(limited.port(), RawHttp.post("/v1/chat/completions", chat()), QUIET);
                    }));
            pool.shutdown();
            assertEquals(200, both.get(0).get().status(), both.get(0).get().text());
            RawHttp.Exchange second = both.get(1).get();
            assertEquals(429, second.status(), second.text());
            assertEquals("1", second.header("Retry-After"));
            assertEquals(
                    200,
                    RawHttp.send(limited.port(), RawHttp.post("/v1/chat/completions", chat()), QUIET)
                            .status(),
                    "once the first is done, the next is served");
        }
    }

    @Test
    void aKeylessServerRefusesWhatAWebPageCouldSend() {
        RawHttp.Exchange plain = RawHttp.send(
                open.port(),
                RawHttp.post("/v1/chat/completions", chat()).replace("application/json", "text/plain"),
                QUIET);
        assertEquals(List.of(415), plain.statuses(), plain.text());
        RawHttp.Exchange form = RawHttp.send(
                open.port(),
                RawHttp.post("/v1/chat/completions", chat())
                        .replace("application/json", "application/x-www-form-urlencoded"),
                QUIET);
        assertEquals(List.of(415), form.statuses(), form.text());
        RawHttp.Exchange rebound = RawHttp.send(
                open.port(),
                RawHttp.post("/v1/chat/completions", chat()).replace("Host: localhost", "Host: evil.example:8080"),
                QUIET);
        assertEquals(List.of(403), rebound.statuses(), rebound.text());
        assertTrue(rebound.body().contains("host_not_allowed"), rebound.text());
        for (String host : List.of("localhost", "127.0.0.1:" + open.port(), "[::1]:" + open.port())) {
            RawHttp.Exchange ok = RawHttp.send(
                    open.port(),
                    RawHttp.post("/v1/chat/completions", chat()).replace("Host: localhost", "Host: " + host),
                    QUIET);
            assertEquals(200, ok.status(), host + ": " + ok.text());
        }
    }
}
