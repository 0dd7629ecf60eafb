package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.catalog.CatalogLoader;
import dev.llmrouter.classify.HeuristicClassifier;
import dev.llmrouter.config.Documents;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.request.Json;
import dev.llmrouter.testing.ExternalTool;
import dev.llmrouter.testing.LogFiles;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package) scrapes a running router every second, with the rules `monitoring
 * rules` writes for the router's policy (a 20-second window). Under traffic whose escalations come from the
 * simulated provider's quality, the recorded escalation rate matches the share counted in the trace log; when
 * the admin API then lowers the gate threshold to 0, nothing escalates any more and the too-greedy alert fires.
 * Every query of the Grafana dashboard then has data. (A third of the simulated calls fail, so fallbacks,
 * cooldowns and upstream errors have series too.)
 */
class PrometheusIntegrationTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String ADMIN_KEY = "operator-key";

    static final String POLICY = """
            id: watched
            version: %d
            routes:
              - name: default
                cascade: {enabled: true, quality_floor: 0.5, gate_threshold: %s, max_escalations: 1}
                fallback: {cooldown: {after_failures: 2, for: 1s}}
                watch: {escalation_rate: [0.05, 0.95], fallback_rate: 0.9, window: 20s, min_requests: 5}
                explore: {share: 0.2, mode: shadow}
            budgets:
              - {name: daily, window: daily, cap_usd: 1000, alert_at: 0.8}
            """;

    @TempDir
    Path dir;

    RouterServer router;
    Process prometheus;
    int sent;

    @AfterEach
    void stop() {
        if (prometheus != null) {
            prometheus.destroy();
        }
        if (router != null) {
            router.close();
        }
    }

    @Test
    void theRecordedEscalationRateIsTheTraceLogsAndAGreedyRouteRaisesItsAlert() throws Exception {
        Path binary = ExternalTool.require("prometheus", "apt-get install prometheus");
        startRouter();
        int port = startPrometheus(binary);

        // phase 1: a cascade that escalates every truncated cheap answer (the simulated tier 1 answers 60% in full),
        // with a shadow candidate (a higher floor) deciding beside it
        candidate("{\"policy\": "
                + Json.MAPPER.writeValueAsString(
                        POLICY.formatted(3, "0.5").replace("quality_floor: 0.5", "quality_floor: 0.9"))
                + "}");
        traffic(Duration.ofSeconds(12));
        Map<String, long[]> logged = awaitTraceLog();
        long[] counted = logged.get("default");
        double share = (double) counted[1] / counted[0];
        assertTrue(share > 0.1 && share < 0.9, "the simulated provider makes some escalate, some not: " + share);
        // the counters Prometheus scraped are the trace log's counts, exactly
        awaitValue(port, "sum(llm_router_requests_total{route=\"default\"})", counted[0]);
        awaitValue(port, "sum(llm_router_escalated_requests_total{route=\"default\"})", counted[1]);
        // and the recording rule's rate (first scrape to last, extrapolated) is the same share, within what the
        // requests before the first scrape move it: 0.01-0.02 on a quiet machine here, 0.06 once on a loaded one
        double recorded = value(port, "route:llm_router_escalation_rate:ratio5m{route=\"default\"}");
        assertEquals(share, recorded, 0.08, "recorded escalation rate against the trace log's share");
        assertTrue(firing(port, "LlmRouterTooGreedy").isEmpty(), "a healthy share raises nothing");

        // phase 2: the gate accepts everything, so the route escalates nothing: too greedy within its window
        HttpResponse<String> put = HTTP.send(
                HttpRequest.newBuilder(URI.create(management() + "/admin/policy"))
                        .header("Authorization", "Bearer " + ADMIN_KEY)
                        .header("Content-Type", "application/yaml")
                        .PUT(HttpRequest.BodyPublishers.ofString(POLICY.formatted(2, "0.0")))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());
        // and a canary of the same, as a later version, serves half the traffic
        candidate("{\"policy\": " + Json.MAPPER.writeValueAsString(POLICY.formatted(4, "0.0"))
                + ", \"mode\": \"canary\", \"share\": 0.5, \"promote_after\": 1000}");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<JsonNode> alerts = List.of();
        while (System.nanoTime() < deadline && alerts.isEmpty()) {
            traffic(Duration.ofSeconds(2));
            alerts = firing(port, "LlmRouterTooGreedy");
        }
        assertEquals(1, alerts.size(), "the too-greedy alert fires once the window holds only the new policy");
        assertEquals("default", alerts.get(0).path("labels").path("route").asText());
        assertEquals("watched", alerts.get(0).path("labels").path("policy").asText());
        double rate = alerts.get(0).path("value").asDouble();
        assertTrue(rate < 0.05, "the escalation rate it fired on is below the floor: " + rate);

        // every panel and annotation of the Grafana dashboard, as Grafana would ask (all routes, a 1m rate)
        for (String expr : GrafanaDashboardTest.queries(GrafanaDashboardTest.dashboard())) {
            String asked = expr.replace("$route", ".*").replace("$__rate_interval", "1m");
            if (expr.contains(" offset ") || expr.startsWith("changes(")) {
                assertTrue(query(port, asked).isArray(), asked); // change markers: valid, empty while nothing changes
                continue;
            }
            assertFalse(query(port, asked).isEmpty(), "no data for the dashboard's query " + asked);
        }
    }

    /** Starts a candidate (replacing any) through the admin API. */
    private void candidate(String body) throws Exception {
        HttpResponse<String> res = HTTP.send(
                HttpRequest.newBuilder(URI.create(management() + "/admin/candidate"))
                        .header("Authorization", "Bearer " + ADMIN_KEY)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode(), res.body());
    }

    private void startRouter() throws IOException {
        Files.writeString(dir.resolve("policy.yaml"), POLICY.formatted(1, "0.5"));
        Path config = Files.writeString(dir.resolve("server.yaml"), """
                server: {port: 0, management: {port: 0}}
                router:
                  catalog: %s/config/catalog.yaml
                  policy: policy.yaml
                  classifier: heuristic
                  providers: simulated
                  admin_keys: [%s]
                  trace: {dir: traces, prompts: none}
                  simulated: {latency_ms: 0, error_rate: 0.3}
                """.formatted(REPO, ADMIN_KEY));
        router = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), dir);
    }

    /** Starts Prometheus on a free loopback port, scraping the router and evaluating its rules every second. */
    private int startPrometheus(Path binary) throws Exception {
        String rules = PrometheusRules.of(PolicyLoader.admit(
                Documents.read(dir.resolve("policy.yaml")),
                "policy",
                CatalogLoader.load(REPO.resolve("config/catalog.yaml")),
                new HeuristicClassifier().intents()));
        Files.writeString(dir.resolve("rules.yml"), rules);
        Files.writeString(dir.resolve("prometheus.yml"), """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: [rules.yml]
                scrape_configs:
                  - job_name: llm-router
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                """.formatted(router.managementPort()));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        prometheus = new ProcessBuilder(
                        binary.toString(),
                        "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("tsdb"),
                        "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!prometheus.isAlive()) {
                fail("prometheus exited:\n" + Files.readString(dir.resolve("prometheus.log")));
            }
            try {
                if (get(port, "/-/ready").statusCode() == 200) {
                    return port;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        fail("prometheus was not ready within 30 s:\n" + Files.readString(dir.resolve("prometheus.log")));
        return port;
    }

    /** Distinct prompts for {@code length}, about 50 a second, with feedback on every fifth answer. */
    private void traffic(Duration length) throws Exception {
        long end = System.nanoTime() + length.toNanos();
        while (System.nanoTime() < end) {
            int n = sent++;
            HttpResponse<String> res = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + "/v1/chat/completions"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"model\": \"router\", \"max_tokens\": 64, \"messages\": [{\"role\": \"user\","
                                            + " \"content\": \"Say something about the number " + n + ".\"}]}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            // a third of the calls fail, so now and then every attempt of a request does: 502, traced like the rest
            assertTrue(res.statusCode() == 200 || res.statusCode() == 502, res.body());
            if (n % 5 == 0 && res.statusCode() == 200) {
                String id = res.headers().firstValue("x-router-trace-id").orElseThrow();
                HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + "/v1/feedback"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"trace_id\": \"" + id + "\", \"score\": 0.8}"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            Thread.sleep(20);
        }
    }

    /** Requests and escalated requests by route, counted from the trace log once it holds every request sent. */
    private Map<String, long[]> awaitTraceLog() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Map<String, long[]> counts = new java.util.TreeMap<>();
            long traces = 0;
            try (Stream<Path> files = Files.list(dir.resolve("traces"))) {
                for (Path file : files.sorted().toList()) {
                    for (String text : LogFiles.wholeLines(file)) {
                        JsonNode line = Json.MAPPER.readTree(text);
                        if (!line.path("type").asText().equals("trace")) {
                            continue; // feedback and audit lines
                        }
                        JsonNode node = line.path("trace");
                        traces++;
                        long[] c = counts.computeIfAbsent(node.path("route").asText(), r -> new long[2]);
                        c[0]++;
                        c[1] += node.path("escalated").asBoolean() ? 1 : 0;
                    }
                }
            }
            if (traces == sent) {
                return counts;
            }
            if (System.nanoTime() > deadline) {
                fail("the trace log holds " + traces + " traces of " + sent + " requests");
            }
            Thread.sleep(100);
        }
    }

    private void awaitValue(int port, String query, double expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        double last = Double.NaN;
        while (System.nanoTime() < deadline) {
            last = value(port, query);
            if (last == expected) {
                return;
            }
            Thread.sleep(250);
        }
        assertEquals(expected, last, query);
    }

    /** The value of a query that gives one series; NaN when it gives none. */
    static double value(int port, String query) throws Exception {
        JsonNode result = query(port, query);
        return result.isEmpty()
                ? Double.NaN
                : result.get(0).path("value").get(1).asDouble();
    }

    /** The result vector of an instant query through Prometheus's HTTP API. */
    static JsonNode query(int port, String query) throws Exception {
        HttpResponse<String> res = get(port, "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        JsonNode body = Json.MAPPER.readTree(res.body());
        if (res.statusCode() != 200 || !body.path("status").asText().equals("success")) {
            fail(query + ": " + res.body());
        }
        return body.path("data").path("result");
    }

    private static List<JsonNode> firing(int port, String alert) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode a : Json.MAPPER
                .readTree(get(port, "/api/v1/alerts").body())
                .path("data")
                .path("alerts")) {
            if (a.path("labels").path("alertname").asText().equals(alert)
                    && a.path("state").asText().equals("firing")) {
                out.add(a);
            }
        }
        return out;
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String management() {
        return "http://127.0.0.1:" + router.managementPort();
    }
}
