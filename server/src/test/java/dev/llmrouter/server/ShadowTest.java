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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shadow candidate decides requests beside the live router and calls no model: an identical candidate agrees
 * on every request, a stricter policy disagrees and costs more, a bad one is refused, and every start and stop
 * is audited.
 */
class ShadowTest {
    static final String ADMIN_KEY = "operator-key";
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String[] PROMPTS = {
        "What is 17 times 23?",
        "Prove that there are infinitely many primes.",
        "Write a haiku about the sea.",
        "Fix this bug: TypeError: undefined is not a function in my React component",
        "hi, how are you today?",
        "Summarize this email in two sentences: the launch moves to Friday because QA found a bug."
    };

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
                  trace: {dir: traces, prompts: none}
                  simulated: {latency_ms: 0, error_rate: 0}
                """.formatted(REPO, REPO, REPO, ADMIN_KEY));
        server = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpResponse<String> admin(String method, String body) throws Exception {
        return LogLines.admin(server, ADMIN_KEY, method, "/admin/candidate", body);
    }

    /** Sends the prompts {@code rounds} times; returns the models that served. */
    List<String> traffic(int rounds) throws Exception {
        List<String> served = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (String prompt : PROMPTS) {
                HttpResponse<String> res = LogLines.chat(server.port(), prompt + " (" + r + ")");
                assertEquals(200, res.statusCode(), res.body());
                served.add(res.headers().firstValue("x-router-model").orElseThrow());
            }
        }
        return served;
    }

    /** The candidate's findings once it has decided {@code n} requests (it decides after each answer). */
    JsonNode findings(long n) throws Exception {
        for (int i = 0; i < 100; i++) {
            JsonNode found = Json.MAPPER.readTree(admin("GET", null).body());
            if (found.path("decisions").asLong() >= n) {
                return found;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the candidate did not decide " + n + " requests");
    }

    List<JsonNode> lines(String type) throws Exception {
        return LogLines.of(dir.resolve("traces"), type);
    }

    @Test
    void anIdenticalCandidateAgreesAndAStricterOneCostsMore() throws Exception {
        HttpResponse<String> same = admin(
                "PUT",
                Json.MAPPER
                        .createObjectNode()
                        .put("bundle", REPO.resolve("models/default").toString())
                        .toString());
        assertEquals(200, same.statusCode(), same.body());
        List<String> before = traffic(3);
        JsonNode agreed = findings(18);
        assertEquals(1.0, agreed.path("agreement").asDouble(), 1e-9, agreed.toString());
        assertEquals(18, lines("shadow").size());

        String stricter = Files.readString(REPO.resolve("config/policy.yaml"))
                .replace("version: 1", "version: 2")
                .replaceAll("quality_floor: 0\\.[0-9]+", "quality_floor: 0.97");
        HttpResponse<String> strict = admin(
                "PUT", Json.MAPPER.createObjectNode().put("policy", stricter).toString());
        assertEquals(200, strict.statusCode(), strict.body());
        List<String> after = traffic(3);
        assertEquals(before, after, "the live router decides as before: a candidate calls no model");
        JsonNode found = findings(18);
        assertTrue(found.path("agreement").asDouble() < 1, found.toString());
        double costChange = 0;
        for (JsonNode route : found.path("routes")) {
            costChange += route.path("mean_predicted_cost_change_usd").asDouble();
        }
        assertTrue(costChange > 0, "a higher floor starts at pricier models: " + found);
        String metrics = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.managementPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(metrics.contains("llm_router_shadow_decisions_total{agree=\"false\""), metrics);

        HttpResponse<String> stopped = admin("DELETE", null);
        assertEquals(200, stopped.statusCode());
        assertEquals(18, Json.MAPPER.readTree(stopped.body()).path("decisions").asLong(), "the final findings");
        assertEquals(
                "none",
                Json.MAPPER
                        .readTree(admin("GET", null).body())
                        .path("candidate")
                        .asText());
        List<String> audited = lines("audit").stream()
                .map(a -> a.path("action").asText() + ":" + a.path("result").asText())
                .toList();
        assertEquals(
                List.of("candidate_start:accepted", "candidate_start:accepted", "candidate_stop:accepted"), audited);
    }

    @Test
    void aCandidateThePolicyRefusesChangesNothing() throws Exception {
        HttpResponse<String> refused = admin(
                "PUT",
                Json.MAPPER
                        .createObjectNode()
                        .put("policy", "id: x\nversion: 1\nroutes: [{name: a, match: {intents: [poetry]}}]\n")
                        .toString());
        assertEquals(422, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("poetry"), refused.body());
        HttpResponse<String> empty = admin("PUT", "{\"share\": 2}");
        assertEquals(400, empty.statusCode(), empty.body());
        assertTrue(empty.body().contains("share: expected a number above 0 and at most 1"), empty.body());
        assertTrue(empty.body().contains("name a candidate"), empty.body());
        assertEquals(
                "none",
                Json.MAPPER
                        .readTree(admin("GET", null).body())
                        .path("candidate")
                        .asText());
    }
}
