package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.llmrouter.request.Json;
import dev.llmrouter.testing.LogFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The server end to end on loopback: the official OpenAI Java SDK as the client, the shipped catalog and
 * policy with the simulated provider, and bad input of every kind, each with its status and message.
 */
class RouterServerTest {
    static final String KEY = "test-router-key";
    static final String ADMIN_KEY = "test-admin-key";
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    static Path dir;

    static RouterServer server;
    static OpenAIClient sdk;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path config = Files.writeString(dir.resolve("server.yaml"), """
                server: {host: 127.0.0.1, port: 0, management: {port: 0}}
                router:
                  catalog: %s/config/catalog.yaml
                  policy: %s/config/policy.yaml
                  classifier: heuristic
                  providers: simulated
                  api_keys: [%s]
                  admin_keys: [%s]
                  max_body_bytes: 4096
                  trace: {dir: %s/traces, prompts: hash}
                  simulated: {latency_ms: 0, error_rate: 0}
                """.formatted(REPO, REPO, KEY, ADMIN_KEY, dir));
        server = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), dir);
        sdk = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + server.port() + "/v1")
                .apiKey(KEY)
                .maxRetries(0)
                .build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static ChatCompletionCreateParams params(String model, String prompt) {
        return ChatCompletionCreateParams.builder()
                .model(model)
                .addUserMessage(prompt)
                .build();
    }

    @Test
    void theSdkGetsAnAnswerWithTheRouterHeaders() {
        HttpResponseFor<ChatCompletion> raw =
                sdk.chat().completions().withRawResponse().create(params("router", "What is the capital of France?"));
        ChatCompletion completion = raw.parse();
        String model = raw.headers().values("x-router-model").getFirst();
        assertEquals(model, completion.model());
        assertTrue(
                completion.choices().getFirst().message().content().orElse("").contains("Simulated answer"));
        assertFalse(raw.headers().values("x-router-trace-id").isEmpty());
        assertTrue(List.of("true", "false")
                .contains(raw.headers().values("x-router-escalated").getFirst()));
        assertTrue(completion.usage().orElseThrow().totalTokens() > 0);
    }

    @Test
    void theSdkStreamsWithAFinalUsageChunk() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("router")
                .addUserMessage("Tell me a short story about a lighthouse.")
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream =
                sdk.chat().completions().createStreaming(params)) {
            chunks = stream.stream().toList();
        }
        String text = chunks.stream()
                .flatMap(c -> c.choices().stream())
                .map(c -> c.delta().content().orElse(""))
                .collect(Collectors.joining());
        assertTrue(text.startsWith("Simulated answer from "), text);
        assertTrue(chunks.getLast().usage().isPresent(), "the last chunk carries the usage");
        assertTrue(chunks.stream().anyMatch(c -> c.choices().stream()
                .anyMatch(ch -> ch.finishReason().isPresent())));
    }

    @Test
    void aStreamSaysWhetherTheCascadeEscalatedBeforeItsFirstByte() throws Exception {
        // the simulated provider cuts some cheap answers: find a prompt the cascade escalates, then stream it
        String prompt = null;
        for (int i = 0; i < 50 && prompt == null; i++) {
            String candidate = "Explain topic number " + i + " in two sentences.";
            HttpResponse<String> res = post("/v1/chat/completions", body(candidate, false), KEY);
            if (res.headers().firstValue("x-router-escalated").orElse("").equals("true")) {
                prompt = candidate;
            }
        }
        assertTrue(prompt != null, "some prompt escalates with the simulated provider's quality settings");
        HttpResponse<String> streamed = post("/v1/chat/completions", body(prompt, true), KEY);
        assertEquals("true", streamed.headers().firstValue("x-router-escalated").orElseThrow());
        assertEquals(
                "text/event-stream",
                streamed.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(streamed.body().trim().endsWith("data: [DONE]"), streamed.body());
    }

    static String body(String prompt, boolean stream) {
        return "{\"model\":\"router\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                + prompt + "\"}]}";
    }

    @Test
    void aForcedRouteAndAPinnedModelAreHonoured() throws Exception {
        HttpResponseFor<ChatCompletion> raw =
                sdk.chat().completions().withRawResponse().create(params("gpt-4o-mini", "Hello"));
        assertEquals("gpt-4o-mini", raw.headers().values("x-router-model").getFirst());
        JsonNode trace = explain("{\"model\":\"router/code\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertEquals("code", trace.path("route").asText());
    }

    @Test
    void withoutTheKeyTheSdkIsRefused() {
        OpenAIClient anonymous = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + server.port() + "/v1")
                .apiKey("wrong")
                .maxRetries(0)
                .build();
        assertThrows(
                UnauthorizedException.class,
                () -> anonymous.chat().completions().create(params("router", "x")));
    }

    static Stream<Arguments> badRequests() {
        String hello = "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]";
        return Stream.of(
                Arguments.of("malformed JSON", "{\"model\": \"router\",", 400, "not valid JSON"),
                Arguments.of("not an object", "[1, 2]", 400, "must be a JSON object"),
                Arguments.of("no body", "", 400, "no body"),
                Arguments.of("no model", "{" + hello + "}", 400, "model: expected"),
                Arguments.of("no messages", "{\"model\":\"router\"}", 400, "messages: expected a non-empty array"),
                Arguments.of(
                        "a message without a role",
                        "{\"model\":\"router\",\"messages\":[{\"content\":\"x\"}]}",
                        400,
                        "messages[0]: expected an object with a string 'role'"),
                Arguments.of(
                        "max_tokens not a positive integer",
                        "{\"model\":\"router\",\"max_tokens\":-3," + hello + "}",
                        400,
                        "max_tokens: expected a positive integer"),
                Arguments.of(
                        "stream not a boolean",
                        "{\"model\":\"router\",\"stream\":\"yes\"," + hello + "}",
                        400,
                        "stream: expected true or false"),
                Arguments.of("unknown model", "{\"model\":\"gpt-9\"," + hello + "}", 404, "model gpt-9 is neither"),
                Arguments.of(
                        "several choices asked for",
                        "{\"model\":\"router\",\"n\":3," + hello + "}",
                        400,
                        "n: the router returns one choice per request"),
                Arguments.of(
                        "unknown route",
                        "{\"model\":\"router/nope\"," + hello + "}",
                        404,
                        "the policy has no route 'nope'"),
                Arguments.of(
                        "a model the risk class forbids",
                        "{\"model\":\"gpt-4o\",\"metadata\":{\"risk_class\":\"confidential\"}," + hello + "}",
                        403,
                        "the policy does not allow gpt-4o"),
                Arguments.of(
                        "a risk class the policy does not define",
                        "{\"model\":\"router\",\"metadata\":{\"risk_class\":\"top-secret\"}," + hello + "}",
                        422,
                        "no model may serve this request"),
                Arguments.of(
                        "a body over the limit",
                        "{\"model\":\"router\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(5000)
                                + "\"}]}",
                        413,
                        "over the server's limit of 4096 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badInputGetsItsStatusAndAClearMessage(String name, String body, int status, String message) throws Exception {
        HttpResponse<String> res = post("/v1/chat/completions", body, KEY);
        assertEquals(status, res.statusCode(), res.body());
        JsonNode error = Json.MAPPER.readTree(res.body()).path("error");
        assertTrue(error.path("message").asText().contains(message), res.body());
        assertTrue(error.has("type") && error.has("code"), res.body());
    }

    @Test
    void refusalsListEveryReason() throws Exception {
        HttpResponse<String> res = post(
                "/v1/chat/completions",
                "{\"model\":\"gpt-4o\",\"metadata\":{\"risk_class\":\"confidential\"},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}",
                KEY);
        JsonNode details = Json.MAPPER.readTree(res.body()).path("error").path("details");
        assertTrue(details.isArray() && !details.isEmpty(), res.body());
        assertTrue(details.get(0).asText().startsWith("gpt-4o: "), res.body());
    }

    @Test
    void everyEndpointButHealthAndMetricsNeedsItsKey() throws Exception {
        assertEquals(401, post("/v1/chat/completions", "{}", "").statusCode());
        assertEquals(401, post("/v1/route", "{}", "nope").statusCode());
        assertEquals(401, get("/v1/models", "").statusCode());
        assertEquals(401, admin("/admin/policy", "").statusCode());
        HttpResponse<String> health = admin("/health", "");
        assertEquals(200, health.statusCode());
        assertTrue(Json.MAPPER.readTree(health.body()).path("ready").asBoolean());
        assertEquals(200, admin("/metrics", "").statusCode());
        assertEquals(404, get("/v2/nothing", KEY).statusCode());
        assertEquals(404, get("/admin/policy", KEY).statusCode(), "admin is not on the API socket");
        assertEquals(404, get("/metrics", KEY).statusCode(), "metrics are not on the API socket");
    }

    @Test
    void modelsListTheAliasesRoutesAndCatalog() throws Exception {
        JsonNode data = Json.MAPPER.readTree(get("/v1/models", KEY).body()).path("data");
        List<String> ids = new java.util.ArrayList<>();
        data.forEach(m -> ids.add(m.path("id").asText()));
        assertTrue(
                ids.containsAll(List.of("router", "router/default", "gpt-4o-mini", "mixtral-8x7b-instruct")),
                ids.toString());
    }

    @Test
    void routeExplainsWithoutCallingAModel() throws Exception {
        JsonNode trace =
                explain("{\"messages\":[{\"role\":\"user\",\"content\":\"Write a limerick about a quokka\"}]}");
        assertEquals("explained", trace.path("outcome").asText());
        assertTrue(trace.path("candidates").size() > 5);
        assertFalse(trace.toString().contains("quokka"), "the prompt is never in a trace");
    }

    @Test
    void feedbackIsStoredBesideTheTraceAndCheckedFirst() throws Exception {
        HttpResponse<String> served = post(
                "/v1/chat/completions",
                "{\"model\":\"router\",\"messages\":[{\"role\":\"user\",\"content\":\"Summarise: the sky is blue.\"}]}",
                KEY);
        String traceId = served.headers().firstValue("x-router-trace-id").orElseThrow();
        assertEquals(
                200,
                post("/v1/feedback", "{\"trace_id\":\"" + traceId + "\",\"score\":0.9,\"comment\":\"good\"}", KEY)
                        .statusCode());
        assertEquals(
                404,
                post("/v1/feedback", "{\"trace_id\":\"no-such-trace\",\"score\":1}", KEY)
                        .statusCode());
        HttpResponse<String> bad = post("/v1/feedback", "{\"trace_id\":\"" + traceId + "\",\"score\":7}", KEY);
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("score: expected a number from 0"), bad.body());
        List<JsonNode> lines = eventually(RouterServerTest::logLines, all -> all.stream()
                .anyMatch(l -> l.path("trace").path("trace_id").asText().equals(traceId)));
        JsonNode trace = lines.stream()
                .filter(l -> l.path("type").asText().equals("trace")
                        && l.path("trace").path("trace_id").asText().equals(traceId))
                .findFirst()
                .orElseThrow();
        assertEquals(64, trace.path("prompt_sha256").asText().length());
        assertFalse(trace.has("prompt"), "prompts: hash keeps no prompt text");
        assertTrue(lines.stream()
                .anyMatch(l -> l.path("type").asText().equals("feedback")
                        && l.path("trace_id").asText().equals(traceId)
                        && l.path("score").asDouble() == 0.9));
        // rated down (twice): no longer a successful task, counted once
        for (int i = 0; i < 2; i++) {
            assertEquals(
                    200,
                    post("/v1/feedback", "{\"trace_id\":\"" + traceId + "\",\"score\":0.1}", KEY)
                            .statusCode());
        }
        String metrics = admin("/metrics", "").body();
        assertTrue(
                metrics.lines()
                        .anyMatch(l -> l.startsWith("llm_router_unsuccessful_tasks_total{")
                                && l.contains("reason=\"feedback\"")
                                && l.endsWith(" 1.0")),
                metrics);
    }

    @Test
    void aRefusedPolicyKeepsTheOldOneAndAGoodOneReplacesIt() throws Exception {
        JsonNode before = Json.MAPPER.readTree(admin("/admin/policy", ADMIN_KEY).body());
        HttpResponse<String> refused = put("/admin/policy", """
                id: default
                version: 9
                routes:
                  - name: default
                    filter: {max_input_price: cheap, regions: [eu-west-9]}
                """);
        assertEquals(422, refused.statusCode(), refused.body());
        JsonNode details = Json.MAPPER.readTree(refused.body()).path("error").path("details");
        assertEquals(2, details.size(), refused.body());
        assertTrue(refused.body().contains("routes[0].filter.max_input_price"), refused.body());
        assertTrue(refused.body().contains("unknown region 'eu-west-9'"), refused.body());
        assertEquals(
                before.path("hash"),
                Json.MAPPER.readTree(admin("/admin/policy", ADMIN_KEY).body()).path("hash"));
        String original = Files.readString(REPO.resolve("config/policy.yaml"));
        try {
            HttpResponse<String> accepted = put("/admin/policy", original.replace("version: 1", "version: 2"));
            assertEquals(200, accepted.statusCode(), accepted.body());
            assertEquals(
                    2,
                    Json.MAPPER
                            .readTree(admin("/admin/policy", ADMIN_KEY).body())
                            .path("version")
                            .asInt());
            JsonNode trace = explain("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
            assertEquals(2, trace.path("policy").path("version").asInt());
        } finally {
            assertEquals(200, put("/admin/policy", original).statusCode());
        }
    }

    @Test
    void metricsCountRequestsWithPolicyVersionAndClassifier() throws Exception {
        post(
                "/v1/chat/completions",
                "{\"model\":\"router\",\"messages\":[{\"role\":\"user\",\"content\":\"Count me\"}]}",
                KEY);
        String text =
                eventually(() -> admin("/metrics", "").body(), t -> t.contains("llm_router_decision_seconds_bucket{"));
        for (String name : List.of(
                "llm_router_requests_total{",
                "llm_router_decision_seconds_bucket{",
                "llm_router_upstream_seconds_count{",
                "llm_router_tokens_total{",
                "llm_router_cost_usd_total{",
                "llm_router_classifier_seconds_count{",
                "llm_router_filter_rejections_total{")) {
            assertTrue(text.contains(name), name + " missing from /metrics");
        }
        assertTrue(text.lines()
                .filter(l -> l.startsWith("llm_router_requests_total{"))
                .allMatch(l -> l.contains("policy_version=") && l.contains("classifier=\"heuristic")));
    }

    @Test
    void reloadsKeepTheSeriesOfTwoPolicyVersionsOnly() throws Exception {
        String original = Files.readString(REPO.resolve("config/policy.yaml"));
        String chat = "{\"model\":\"router\",\"messages\":[{\"role\":\"user\",\"content\":\"Count me\"}]}";
        try {
            for (int v = 2; v <= 12; v++) {
                assertEquals(
                        200,
                        put("/admin/policy", original.replace("version: 1", "version: " + v))
                                .statusCode());
                post("/v1/chat/completions", chat, KEY);
            }
            String text = eventually(() -> admin("/metrics", "").body(), t -> t.contains("policy_version=\"12\""));
            java.util.Set<String> versions = new java.util.TreeSet<>();
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("policy_version=\"(\\d+)\"").matcher(text);
            while (m.find()) {
                versions.add(m.group(1));
            }
            assertTrue(versions.size() <= RouterMetrics.KEPT_POLICY_VERSIONS, versions.toString());
            assertTrue(versions.contains("12"), versions.toString());
        } finally {
            assertEquals(200, put("/admin/policy", original).statusCode());
        }
    }

    @Test
    void metricsCountErrorsByCodeAndTimeTheRouterBelowAMillisecond() throws Exception {
        post("/v1/chat/completions", "{\"model\":", KEY);
        post("/v1/chat/completions", "{}", "wrong-key");
        String text =
                eventually(() -> admin("/metrics", "").body(), t -> t.contains("llm_router_decision_seconds_bucket{"));
        assertTrue(
                text.lines()
                        .anyMatch(l ->
                                l.startsWith("llm_router_http_errors_total{code=\"invalid_request\",status=\"400\"}")),
                text);
        assertTrue(
                text.lines()
                        .anyMatch(l ->
                                l.startsWith("llm_router_http_errors_total{code=\"invalid_api_key\",status=\"401\"}")),
                text);
        for (String name : List.of("llm_router_decision_seconds_bucket", "llm_router_classifier_seconds_bucket")) {
            assertTrue(
                    text.lines().anyMatch(l -> l.startsWith(name) && l.contains("le=\"1.0E-4\"")),
                    name + " has a 100 µs bucket");
        }
    }

    @Test
    void escalationsAreCountedByTheCauseTheGateFound() throws Exception {
        // the simulated provider cuts some answers short: some prompt escalates, for the reason 'truncated'
        for (int i = 0; i < 40; i++) {
            post(
                    "/v1/chat/completions",
                    "{\"model\":\"router\",\"messages\":[{\"role\":\"user\",\"content\":\"Topic " + i + "\"}]}",
                    KEY);
        }
        String text = eventually(() -> admin("/metrics", "").body(), t -> t.contains("llm_router_escalations_total{"));
        java.util.Set<String> causes = java.util.Arrays.stream(dev.llmrouter.gate.EscalationCause.values())
                .map(dev.llmrouter.gate.EscalationCause::key)
                .collect(java.util.stream.Collectors.toSet());
        List<String> lines = text.lines()
                .filter(l -> l.startsWith("llm_router_escalations_total{"))
                .toList();
        assertFalse(lines.isEmpty(), text);
        for (String line : lines) {
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("reason=\"([^\"]*)\"").matcher(line);
            assertTrue(m.find() && causes.contains(m.group(1)), line);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("reason=\"truncated\"")), lines.toString());
    }

    @Test
    void everyRequestOnAKeptAliveConnectionGetsItsOwnTraceId() throws Exception {
        String chat = "{\"model\":\"router\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        List<String> ids = new java.util.ArrayList<>();
        for (String path : List.of("/v1/chat/completions", "/v1/route", "/v1/route", "/v1/chat/completions")) {
            ids.add(post(path, chat, KEY)
                    .headers()
                    .firstValue("x-router-trace-id")
                    .orElseThrow());
        }
        assertEquals(4, java.util.Set.copyOf(ids).size(), ids.toString());
    }

    @Test
    void aLogWithoutPromptsCannotTrainAndSaysHowToFixIt() throws Exception {
        post(
                "/v1/chat/completions",
                "{\"model\":\"router\",\"messages\":[{\"role\":\"user\",\"content\":\"Log me\"}]}",
                KEY);
        List<Path> files;
        try (Stream<Path> list = Files.list(dir.resolve("traces"))) {
            files = list.sorted().toList();
        }
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> dev.llmrouter.evalsets.RecordLoader.load(files, false));
        assertTrue(e.getMessage().contains("router.trace.prompts: full"), e.getMessage());
    }

    interface Read<T> {
        T get() throws Exception;
    }

    /** What {@code read} gives once {@code done} holds (within 5 s): metrics and the log follow the answer. */
    static <T> T eventually(Read<T> read, java.util.function.Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        T value = read.get();
        while (!done.test(value) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            value = read.get();
        }
        return value;
    }

    static JsonNode explain(String body) throws Exception {
        HttpResponse<String> res = post("/v1/route", body, KEY);
        assertEquals(200, res.statusCode(), res.body());
        return Json.MAPPER.readTree(res.body());
    }

    static List<JsonNode> logLines() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("traces"))) {
            return files.sorted()
                    .flatMap(f -> LogFiles.wholeLines(f).stream())
                    .map(l -> {
                        try {
                            return Json.MAPPER.readTree(l);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .toList();
        }
    }

    static HttpResponse<String> post(String path, String body, String key) throws Exception {
        return send(
                HttpRequest.newBuilder(uri(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)),
                key);
    }

    /** A policy document to the management socket, with the admin key. */
    static HttpResponse<String> put(String path, String body) throws Exception {
        return send(
                HttpRequest.newBuilder(managementUri(path))
                        .header("Content-Type", "application/yaml")
                        .PUT(HttpRequest.BodyPublishers.ofString(body)),
                ADMIN_KEY);
    }

    /** A GET to the management socket. */
    static HttpResponse<String> admin(String path, String key) throws Exception {
        return send(HttpRequest.newBuilder(managementUri(path)).GET(), key);
    }

    static HttpResponse<String> get(String path, String key) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET(), key);
    }

    static HttpResponse<String> send(HttpRequest.Builder request, String key) throws Exception {
        if (!key.isEmpty()) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    static URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + server.managementPort() + path);
    }
}
