package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admin is its own socket and credential: a router API key cannot change the policy, every change is audited,
 * concurrent changes leave one consistent policy, and an accepted policy survives a restart.
 */
class AdminTest {
    static final String API_KEY = "caller-key";
    static final String ADMIN_KEY = "operator-key";
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    Path config;
    RouterServer server;

    @BeforeEach
    void start() throws Exception {
        Files.copy(REPO.resolve("config/policy.yaml"), dir.resolve("policy.yaml"));
        config = Files.writeString(dir.resolve("server.yaml"), """
                server: {port: 0, management: {port: 0}}
                router:
                  catalog: %s/config/catalog.yaml
                  policy: policy.yaml
                  classifier: heuristic
                  providers: simulated
                  api_keys: [%s]
                  admin_keys: [%s]
                  state_dir: state
                  trace: {dir: traces, prompts: none}
                  simulated: {latency_ms: 0, error_rate: 0}
                """.formatted(REPO, API_KEY, ADMIN_KEY));
        server = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    String policy(int version) throws Exception {
        return Files.readString(REPO.resolve("config/policy.yaml")).replace("version: 1", "version: " + version);
    }

    HttpResponse<String> put(String body, String key) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.managementPort() + "/admin/policy"))
                        .header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/yaml")
                        .PUT(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode live() throws Exception {
        HttpResponse<String> res = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.managementPort() + "/admin/policy"))
                        .header("Authorization", "Bearer " + ADMIN_KEY)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode(), res.body());
        return Json.MAPPER.readTree(res.body());
    }

    List<JsonNode> audits() throws Exception {
        return LogLines.of(dir.resolve("traces"), "audit");
    }

    @Test
    void aRouterApiKeyCannotChangeThePolicyAndEveryAttemptIsAudited() throws Exception {
        String before = live().path("hash").asText();
        HttpResponse<String> byCaller = put(policy(2), API_KEY);
        assertEquals(403, byCaller.statusCode(), byCaller.body());
        assertTrue(byCaller.body().contains("admin_key_required"), byCaller.body());
        assertEquals(401, put(policy(2), "guess").statusCode());
        assertEquals(1, live().path("version").asInt(), "nothing changed");

        HttpResponse<String> refused = put("id: default\nversion: 3\nroutes: []\n", ADMIN_KEY);
        assertEquals(422, refused.statusCode(), refused.body());
        HttpResponse<String> accepted = put(policy(2), ADMIN_KEY);
        assertEquals(200, accepted.statusCode(), accepted.body());
        String after = live().path("hash").asText();

        List<JsonNode> audits = audits();
        assertEquals(4, audits.size(), "one record per attempt: " + audits);
        assertEquals(
                List.of("denied", "denied"),
                List.of(
                        audits.get(0).path("result").asText(),
                        audits.get(1).path("result").asText()));
        assertEquals(
                "sha256:" + dev.llmrouter.config.Sha256.hex(API_KEY).substring(0, 12),
                audits.get(0).path("key_fingerprint").asText(),
                "who tried");
        audits = audits.subList(2, 4);
        JsonNode no = audits.get(0);
        assertEquals("refused", no.path("result").asText());
        assertEquals(before, no.path("old_policy_hash").asText());
        assertFalse(no.has("new_policy_hash"));
        JsonNode yes = audits.get(1);
        assertEquals("accepted", yes.path("result").asText());
        assertEquals(before, yes.path("old_policy_hash").asText());
        assertEquals(after, yes.path("new_policy_hash").asText());
        assertEquals(2, yes.path("new_policy_version").asInt());
        String fingerprint = yes.path("key_fingerprint").asText();
        assertTrue(fingerprint.matches("sha256:[0-9a-f]{12}"), fingerprint);
        for (JsonNode audit : audits()) {
            assertFalse(audit.toString().contains(ADMIN_KEY), "the key itself is never written");
            assertFalse(audit.toString().contains(API_KEY), "the key itself is never written");
            assertFalse(audit.path("at").asText().isEmpty());
        }
        String metrics = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.managementPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(
                metrics.contains("llm_router_admin_changes_total{action=\"policy_replace\",result=\"accepted\"} 1.0"));
        assertTrue(
                metrics.contains("llm_router_admin_changes_total{action=\"policy_replace\",result=\"refused\"} 1.0"));
        assertTrue(metrics.contains("llm_router_admin_changes_total{action=\"policy_replace\",result=\"denied\"} 2.0"));
    }

    @Test
    void concurrentChangesLeaveOnePolicyWhoseDocumentRouterAndStoreAgree() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> done = new ArrayList<>();
        for (int v = 2; v <= 25; v++) {
            String body = policy(v);
            done.add(pool.submit((Callable<Integer>) () -> put(body, ADMIN_KEY).statusCode()));
        }
        for (Future<Integer> f : done) {
            assertEquals(200, f.get());
        }
        pool.shutdown();
        JsonNode live = live();
        int version = live.path("version").asInt();
        assertEquals(version, live.path("document").path("version").asInt(), "the document is the one in force");
        JsonNode trace = Json.MAPPER.readTree(HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/route"))
                                .header("Authorization", "Bearer " + API_KEY)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
        assertEquals(version, trace.path("policy").path("version").asInt(), "and the router routes with it");
        JsonNode stored =
                Json.MAPPER.readTree(dir.resolve("state/accepted-policy.json").toFile());
        assertEquals(version, stored.path("document").path("version").asInt(), "and it is the one kept");
    }

    @Test
    void anAcceptedPolicySurvivesARestartUntilTheConfiguredFileChanges() throws Exception {
        assertEquals(200, put(policy(7), ADMIN_KEY).statusCode());
        server.close();
        server = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), dir);
        assertEquals(7, live().path("version").asInt(), "kept across the restart");

        // the operator edits the configured file: the edit is newer than the stored change, and wins
        server.close();
        Files.writeString(dir.resolve("policy.yaml"), policy(9));
        server = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), dir);
        assertEquals(9, live().path("version").asInt());
    }

    @Test
    void managementOffLoopbackNeedsAnAdminKey() throws Exception {
        Path open = Files.writeString(dir.resolve("open.yaml"), """
                server: {management: {host: 0.0.0.0}}
                """);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> ServerSettings.load(open, Map.of(), dir));
        assertTrue(
                e.getMessage().contains("server.management.host: 0.0.0.0 is not a loopback address"), e.getMessage());
        ServerSettings keyed = ServerSettings.load(open, Map.of("LLM_ROUTER_ADMIN_KEYS", "k"), dir);
        assertEquals(List.of("k"), keyed.adminKeys());
    }
}
