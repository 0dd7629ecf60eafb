package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.request.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canary serves a share of the traffic with the candidate: one made deliberately worse (a gate threshold
 * that escalates every answer) trips the escalation guardrail and is rolled back by itself; one as good as the
 * live router holds its guardrails and is promoted, after which it is the classifier in force and in the
 * history. Every step is an audit record.
 */
class CanaryTest {
    static final String ADMIN_KEY = "operator-key";
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    RouterServer server;

    @BeforeEach
    void start() throws Exception {
        Path config = Files.writeString(dir.resolve("server.yaml"), """
                server: {port: 0, management: {port: 0}}
                router:
                  catalog: %s/config/catalog.yaml
                  policy: %s/config/policy.yaml
                  classifier: %s/models/default
                  providers: simulated
                  admin_keys: [%s]
                  state_dir: state
                  trace: {dir: traces, prompts: none}
                  simulated: {latency_ms: 0, error_rate: 0}
                """.formatted(REPO, REPO, REPO, ADMIN_KEY));
        server = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return LogLines.admin(server, ADMIN_KEY, method, path, body);
    }

    void traffic(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            HttpResponse<String> res =
                    // assistant commands: the live router's rules accept their answers, so only the candidate escalates
                    LogLines.chat(server.port(), "Remind the team about meeting " + i + " tomorrow.");
            assertEquals(200, res.statusCode(), res.body());
        }
    }

    List<String> audited() throws Exception {
        return LogLines.of(dir.resolve("traces"), "audit").stream()
                .map(a -> a.path("action").asText() + ":" + a.path("result").asText())
                .toList();
    }

    @Test
    void aWorseCandidateIsRolledBackByItsGuardrails() throws Exception {
        String worse = Files.readString(REPO.resolve("config/policy.yaml"))
                .replace("version: 1", "version: 2")
                .replaceAll("gate_threshold: 0\\.[0-9]+", "gate_threshold: 0.99");
        HttpResponse<String> started = admin(
                "PUT",
                "/admin/candidate",
                Json.MAPPER
                        .createObjectNode()
                        .put("policy", worse)
                        .put("mode", "canary")
                        .put("share", 0.5)
                        .put("min_requests", 20)
                        .put("promote_after", 400)
                        .toString());
        assertEquals(200, started.statusCode(), started.body());
        assertEquals("canary", Json.MAPPER.readTree(started.body()).path("mode").asText());
        traffic(150);
        assertEquals(
                "none",
                Json.MAPPER
                        .readTree(admin("GET", "/admin/candidate", null).body())
                        .path("candidate")
                        .asText(),
                "rolled back");
        JsonNode rollback = LogLines.of(dir.resolve("traces"), "audit").stream()
                .filter(a -> a.path("action").asText().equals("candidate_rollback"))
                .findFirst()
                .orElseThrow();
        // escalating every answer crosses the escalation bound, and pays twice: either may trip first
        String reasons = rollback.path("errors").toString();
        assertTrue(
                reasons.contains("escalation rate") || reasons.contains("cost per successful task"),
                rollback.toString());
        assertEquals("router", rollback.path("key_fingerprint").asText());
        assertEquals("rolled_back", rollback.path("canary").path("state").asText());
        assertEquals(
                1,
                Json.MAPPER
                        .readTree(admin("GET", "/admin/policy", null).body())
                        .path("version")
                        .asInt(),
                "the live policy never changed");
        HttpResponse<String> promote = admin("POST", "/admin/candidate/promote", null);
        assertEquals(409, promote.statusCode(), promote.body());
        assertEquals(
                List.of("candidate_start:accepted", "candidate_rollback:accepted", "candidate_promote:refused"),
                audited());
    }

    @Test
    void aCandidateThatHoldsItsGuardrailsIsPromoted() throws Exception {
        Path copy = dir.resolve("retrained");
        ClassifierSwapTest.copyBundle(REPO.resolve("models/default"), copy);
        HttpResponse<String> started = admin(
                "PUT",
                "/admin/candidate",
                Json.MAPPER
                        .createObjectNode()
                        .put("bundle", copy.toString())
                        .put("mode", "canary")
                        .put("share", 0.5)
                        .put("min_requests", 20)
                        .put("promote_after", 40)
                        // a false rollback of an identical candidate would fail this test: at most 0.1% a guardrail
                        .put("alpha", 0.001)
                        .toString());
        assertEquals(200, started.statusCode(), started.body());
        HttpResponse<String> early = admin("POST", "/admin/candidate/promote", null);
        assertEquals(422, early.statusCode(), "not before its guardrails held: " + early.body());
        traffic(140);
        JsonNode found =
                Json.MAPPER.readTree(admin("GET", "/admin/candidate", null).body());
        assertEquals("ready", found.path("canary").path("state").asText(), found.toString());
        assertTrue(found.path("canary").path("canary").path("requests").asInt() >= 40, found.toString());
        // the arms are counted until the canary decides
        assertTrue(found.path("canary").path("control").path("requests").asInt() > 0, found.toString());

        HttpResponse<String> promoted = admin("POST", "/admin/candidate/promote", null);
        assertEquals(200, promoted.statusCode(), promoted.body());
        assertEquals(
                "onnx:retrained",
                Json.MAPPER
                        .readTree(admin("GET", "/admin/classifier", null).body())
                        .path("id")
                        .asText());
        JsonNode history = Json.MAPPER
                .readTree(admin("GET", "/admin/history", null).body())
                .path("data");
        assertEquals(
                "onnx:retrained", history.get(history.size() - 1).path("id").asText());
        assertEquals(
                "none",
                Json.MAPPER
                        .readTree(admin("GET", "/admin/candidate", null).body())
                        .path("candidate")
                        .asText());
        assertEquals(
                List.of("candidate_start:accepted", "candidate_promote:refused", "candidate_promote:accepted"),
                audited());
    }

    @Test
    void aCanaryByUserKeepsEachUsersRequestsInOneArm() throws Exception {
        Path copy = dir.resolve("by-user");
        ClassifierSwapTest.copyBundle(REPO.resolve("models/default"), copy);
        HttpResponse<String> started = admin(
                "PUT",
                "/admin/candidate",
                Json.MAPPER
                        .createObjectNode()
                        .put("bundle", copy.toString())
                        .put("mode", "canary")
                        .put("assign_by", "user")
                        .put("share", 0.5)
                        .toString());
        assertEquals(200, started.statusCode(), started.body());
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> res = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"router\", \"user\": \"user-"
                                    + (i % 8) + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Question " + i
                                    + "\"}]}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, res.statusCode(), res.body());
        }
        // the trace names the classifier that decided: the candidate's copy in the canary arm
        java.util.Map<String, java.util.Set<String>> arms = new java.util.TreeMap<>();
        List<JsonNode> traces = LogLines.of(dir.resolve("traces"), "trace");
        for (int i = 0; i < traces.size(); i++) {
            arms.computeIfAbsent("user-" + (i % 8), u -> new java.util.TreeSet<>())
                    .add(traces.get(i)
                            .path("trace")
                            .path("classifier")
                            .path("id")
                            .asText());
        }
        arms.forEach((user, ids) -> assertEquals(1, ids.size(), user + " in both arms: " + arms));
        assertEquals(
                java.util.Set.of("onnx:by-user", "onnx:default"),
                arms.values().stream().flatMap(java.util.Set::stream).collect(java.util.stream.Collectors.toSet()),
                "eight users, both arms: " + arms);
    }

    @Test
    void canarySettingsAreCheckedByName() throws Exception {
        HttpResponse<String> bad = admin(
                "PUT",
                "/admin/candidate",
                "{\"policy\": {\"id\": \"x\"}, \"mode\": \"canary\", \"promote_after\": 5, \"alpha\": 2}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("promote_after: expected a whole number of requests, at least 10"), bad.body());
        assertTrue(bad.body().contains("alpha: expected a number between 0 and 1"), bad.body());
        HttpResponse<String> by = admin(
                "PUT",
                "/admin/candidate",
                "{\"policy\": {\"id\": \"x\"}, \"mode\": \"canary\", \"assign_by\": \"team\"}");
        assertEquals(400, by.statusCode(), by.body());
        assertTrue(by.body().contains("assign_by: expected trace, api_key or user, got 'team'"), by.body());
        HttpResponse<String> shadowOnly =
                admin("PUT", "/admin/candidate", "{\"policy\": {\"id\": \"x\"}, \"promote_after\": 50}");
        assertEquals(400, shadowOnly.statusCode(), shadowOnly.body());
        assertTrue(shadowOnly.body().contains("promote_after: a canary setting"), shadowOnly.body());
    }

    @Test
    void theSequentialTestsQuantileIsTheNormalOne() {
        assertEquals(1.959964, Canary.normalQuantile(0.975), 1e-6);
        assertEquals(2.807034, Canary.normalQuantile(1 - 0.05 / 20), 1e-6);
        assertEquals(-1.644854, Canary.normalQuantile(0.05), 1e-6);
    }
}
