package dev.llmrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.request.Json;
import dev.llmrouter.server.RouterServer;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop from logged traffic to a better router, through the command line and the HTTP API as a user
 * runs it, on the simulated provider: serve with exploration and full prompts, send traffic and feedback,
 * retrain from the log, estimate the new bundle against the live one off-policy, shadow it, canary a
 * deliberately worse candidate (a price cap no model meets) and see its error-rate guardrail roll it back,
 * canary the retrained one and promote it, and decide every logged request again with the archived versions.
 */
class RetrainingLoopTest {
    static final String ADMIN_KEY = "operator-key";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    RouterServer server;

    @Test
    void fromLoggedTrafficToAPromotedBundle() throws Exception {
        System.setProperty("llmrouter.home", Traffic.REPO.toString());
        Path base = dir.resolve("base");
        MainTest.Run train = MainTest.run(
                "train",
                "--data",
                Traffic.outcomes(dir, 200).toString(),
                "--intent-data",
                Traffic.intents(dir.resolve("intents.jsonl")).toString(),
                "--out",
                base.toString());
        assertEquals(0, train.code(), train.err());

        // 1. serve the base with exploration on the default route, full prompts and a state folder
        String policy = Files.readString(Traffic.REPO.resolve("config/policy.yaml"))
                .replace("  - name: default\n", "  - name: default\n    explore: {share: 0.3, mode: shadow}\n");
        Files.writeString(dir.resolve("policy.yaml"), policy);
        Path config = Files.writeString(dir.resolve("server.yaml"), """
                server: {port: 0, management: {port: 0}}
                router:
                  catalog: %s/config/catalog.yaml
                  policy: policy.yaml
                  classifier: base
                  providers: simulated
                  admin_keys: [%s]
                  state_dir: state
                  trace: {dir: traces, prompts: full}
                  simulated: {latency_ms: 0, error_rate: 0, difficulty: 0.5}
                """.formatted(Traffic.REPO, ADMIN_KEY));
        server = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), dir);
        try {
            traffic(0, 150, true);
            Path log = logs().get(0);
            assertTrue(Files.readString(log).contains("\"type\":\"exploration\""), "explored answers in the log");

            // 2. retrain from the live bundle and the log
            Path candidate = dir.resolve("candidate");
            MainTest.Run retrain = MainTest.run(
                    "retrain",
                    "--base",
                    base.toString(),
                    "--traces",
                    dir.resolve("traces").toString(),
                    "--out",
                    candidate.toString(),
                    "--policy",
                    dir.resolve("policy.yaml").toString());
            assertEquals(0, retrain.code(), retrain.out() + retrain.err());

            // 3. the candidate against the live decisions, off-policy, on the same log
            MainTest.Run eval = MainTest.run(
                    "eval",
                    "--data",
                    log.toString(),
                    "--cheap",
                    "llama-3.1-8b-instruct",
                    "--strong",
                    "gpt-4o",
                    "--classifier",
                    candidate.toString(),
                    "--policy",
                    dir.resolve("policy.yaml").toString(),
                    "--out",
                    dir.resolve("eval").toString());
            assertEquals(0, eval.code(), eval.err());
            assertTrue(eval.out().contains("as logged"), eval.out());
            assertTrue(eval.out().contains("onnx:candidate / default v1"), eval.out());

            // 4. shadow it: it decides beside the live router, calling no model
            assertEquals(
                    200,
                    admin("PUT", "/admin/candidate", "{\"bundle\": \"" + candidate + "\"}")
                            .statusCode());
            traffic(150, 30, false);
            JsonNode shadow = awaitDecisions(30);
            assertTrue(shadow.has("agreement"), shadow.toString());
            assertEquals(200, admin("DELETE", "/admin/candidate", null).statusCode());

            // 5. a deliberately worse candidate is rolled back by its guardrails
            // a price cap on the default route that no model meets: its requests are refused
            String worse = policy.replace("version: 1", "version: 2")
                    .replace("max_input_price: 5.0", "max_input_price: 0.001");
            HttpResponse<String> bad = admin(
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
            assertEquals(200, bad.statusCode(), bad.body());
            traffic(180, 150, false, false);
            JsonNode afterBad = candidateState();
            assertEquals("none", afterBad.path("candidate").asText(), "rolled back: " + afterBad);

            // 6. the retrained bundle holds its guardrails and is promoted
            HttpResponse<String> good = admin(
                    "PUT",
                    "/admin/candidate",
                    Json.MAPPER
                            .createObjectNode()
                            .put("bundle", candidate.toString())
                            .put("mode", "canary")
                            .put("share", 0.5)
                            .put("min_requests", 20)
                            .put("promote_after", 40)
                            .put("alpha", 0.001)
                            .put("max_cost_increase", 0.9)
                            .toString());
            assertEquals(200, good.statusCode(), good.body());
            for (int round = 0;
                    round < 5
                            && !candidateState()
                                    .path("canary")
                                    .path("state")
                                    .asText()
                                    .equals("ready");
                    round++) {
                traffic(330 + 60 * round, 60, true);
            }
            assertEquals(
                    "ready",
                    candidateState().path("canary").path("state").asText(),
                    candidateState().toString());
            HttpResponse<String> promoted = admin("POST", "/admin/candidate/promote", null);
            assertEquals(200, promoted.statusCode(), promoted.body());
            assertEquals(
                    "onnx:candidate",
                    Json.MAPPER
                            .readTree(admin("GET", "/admin/classifier", null).body())
                            .path("id")
                            .asText());

            // every step audited, and the promoted bundle is in the history with a copy
            List<String> actions = new java.util.ArrayList<>();
            for (String line : Files.readAllLines(log)) {
                JsonNode node = Json.MAPPER.readTree(line);
                if (node.path("type").asText().equals("audit")) {
                    actions.add(node.path("action").asText() + ":"
                            + node.path("result").asText());
                }
            }
            assertEquals(
                    List.of(
                            "candidate_start:accepted",
                            "candidate_stop:accepted",
                            "candidate_start:accepted",
                            "candidate_rollback:accepted",
                            "candidate_start:accepted",
                            "candidate_promote:accepted"),
                    actions);
            JsonNode history = Json.MAPPER
                    .readTree(admin("GET", "/admin/history", null).body())
                    .path("data");
            assertEquals(
                    "onnx:candidate", history.get(history.size() - 1).path("id").asText());

            // 7. every logged request, the canaries' too, decided again with the archived versions that decided it
            MainTest.Run replay = MainTest.run(
                    "replay",
                    "--traces",
                    log.toString(),
                    "--state",
                    dir.resolve("state").toString());
            assertEquals(0, replay.code(), replay.out() + replay.err());
            assertTrue(replay.out().contains("0 otherwise, 0 whose versions are not in"), replay.out());
            MainTest.Run unarchived = MainTest.run(
                    "replay",
                    "--traces",
                    log.toString(),
                    "--state",
                    Files.createDirectories(dir.resolve("empty")).toString());
            assertEquals(1, unarchived.code(), unarchived.out());
            assertTrue(unarchived.out().contains("not archived: policy"), unarchived.out());
        } finally {
            server.close();
        }
    }

    private void traffic(int from, int n, boolean feedback) throws Exception {
        traffic(from, n, feedback, true);
    }

    /** Sends requests; unless {@code strict}, a refused one (a candidate's doing) is part of the traffic. */
    private void traffic(int from, int n, boolean feedback, boolean strict) throws Exception {
        String[] kinds = {
            "Summarize the notes of meeting %d in two sentences.",
            "What is %d times 17?",
            "Write a short poem about the number %d.",
            "Fix this bug in function number %d: NullPointerException in the parser"
        };
        for (int i = from; i < from + n; i++) {
            HttpResponse<String> res = post(
                    server.port(),
                    "/v1/chat/completions",
                    Json.MAPPER
                            .createObjectNode()
                            .put("model", "router")
                            .set(
                                    "messages",
                                    Json.MAPPER
                                            .createArrayNode()
                                            .add(Json.MAPPER
                                                    .createObjectNode()
                                                    .put("role", "user")
                                                    .put("content", String.format(kinds[i % kinds.length], i))))
                            .toString());
            assertTrue(res.statusCode() == 200 || !strict, res.body());
            if (feedback && i % 3 == 0 && res.statusCode() == 200) {
                String id = res.headers().firstValue("x-router-trace-id").orElseThrow();
                post(server.port(), "/v1/feedback", "{\"trace_id\": \"" + id + "\", \"score\": " + (i % 2) + "}");
            }
        }
    }

    private JsonNode awaitDecisions(long n) throws Exception {
        for (int i = 0; i < 100; i++) {
            JsonNode found = candidateState();
            if (found.path("decisions").asLong() >= n) {
                return found;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the shadow candidate did not decide " + n + " requests");
    }

    private JsonNode candidateState() throws Exception {
        return Json.MAPPER.readTree(admin("GET", "/admin/candidate", null).body());
    }

    private List<Path> logs() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("traces"))) {
            return files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    private HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return dev.llmrouter.testing.AdminCalls.send(server.managementPort(), ADMIN_KEY, method, path, body);
    }

    private static HttpResponse<String> post(int port, String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
