package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.request.Json;
import dev.llmrouter.testing.ExternalTool;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two router processes sharing Debian's redis-server, behind Debian's haproxy with {@code deploy/haproxy.cfg}:
 * a load run through haproxy against a small daily cap. Both replicas serve, the spend recorded in their trace
 * logs never exceeds the cap, and the requests past it get 429 {@code budget_exhausted} with a Retry-After.
 */
class ReplicasTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final double CAP = 0.02;

    @TempDir
    Path dir;

    final List<Process> processes = new ArrayList<>();
    RedisProcess redis;

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void twoReplicasBehindHaproxyNeverSpendOverTheDailyCapTogether() throws Exception {
        Path haproxy = ExternalTool.require("haproxy", "apt-get install haproxy");
        redis = RedisProcess.start(dir);
        Path policy = Files.writeString(
                dir.resolve("policy.yaml"),
                Files.readString(REPO.resolve("config/policy.yaml"))
                        + "\nbudgets:\n  - {name: daily, window: daily, cap_usd: " + CAP + "}\n");
        int[] api = {freePort(), freePort()};
        int[] health = {freePort(), freePort()};
        for (int i = 0; i < 2; i++) {
            replica(i + 1, api[i], health[i], policy);
        }
        int lb = freePort();
        ProcessBuilder lbProcess = new ProcessBuilder(
                        haproxy.toString(),
                        "-db",
                        "-f",
                        REPO.resolve("deploy/haproxy.cfg").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile());
        lbProcess
                .environment()
                .putAll(Map.of(
                        "LLM_ROUTER_LB_BIND", "127.0.0.1:" + lb,
                        "LLM_ROUTER_REPLICA_1", "127.0.0.1:" + api[0],
                        "LLM_ROUTER_REPLICA_2", "127.0.0.1:" + api[1],
                        "LLM_ROUTER_REPLICA_1_HEALTH_PORT", Integer.toString(health[0]),
                        "LLM_ROUTER_REPLICA_2_HEALTH_PORT", Integer.toString(health[1])));
        Process balancer = lbProcess.start();
        processes.add(balancer);
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        waitForBalancer(http, lb, balancer);

        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
        Semaphore inFlight = new Semaphore(32);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 1500; i++) {
                inFlight.acquire();
                int n = i;
                pool.submit(() -> {
                    try {
                        HttpResponse<String> r = http.send(chat(lb, n), HttpResponse.BodyHandlers.ofString());
                        statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger())
                                .incrementAndGet();
                        if (r.statusCode() == 429) {
                            refusals.add(r.headers().firstValue("Retry-After").orElse("") + " " + r.body());
                        }
                    } finally {
                        inFlight.release();
                    }
                    return null;
                });
            }
        }
        int served = statuses.getOrDefault(200, new AtomicInteger()).get();
        int refused = statuses.getOrDefault(429, new AtomicInteger()).get();
        assertEquals(1500, served + refused, "every request served or refused by the budget: " + statuses);
        assertTrue(refused > 0, "the cap was reached: " + statuses);
        String first = refusals.get(0);
        assertTrue(first.contains("\"code\":\"budget_exhausted\""), first);
        long retryAfter = Long.parseLong(first.split(" ", 2)[0]);
        assertTrue(retryAfter > 0 && retryAfter <= 86_400, "Retry-After runs to the window's reset: " + retryAfter);

        double[] spent = {0, 0};
        int[] servedBy = {0, 0};
        for (int i = 0; i < 2; i++) {
            try (Stream<Path> files =
                    Files.walk(dir.resolve("replica-" + (i + 1)).resolve("traces"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                    for (String line : Files.readAllLines(f)) {
                        JsonNode trace = Json.MAPPER.readTree(line).path("trace");
                        if (trace.has("total_cost_usd")) {
                            spent[i] += trace.get("total_cost_usd").asDouble();
                            servedBy[i] += trace.path("outcome").asText().equals("served") ? 1 : 0;
                        }
                    }
                }
            }
        }
        assertTrue(servedBy[0] > 0 && servedBy[1] > 0, "both replicas served: " + servedBy[0] + ", " + servedBy[1]);
        double total = spent[0] + spent[1];
        assertTrue(total <= CAP + 1e-9, "spent " + total + " across the replicas, over the cap " + CAP);
        assertTrue(total > CAP * 0.9, "the cap was used: " + total);
        System.out.printf(
                "replicas behind haproxy: %d served (%d + %d), %d refused; spent %.6f of %.2f%n",
                served, servedBy[0], servedBy[1], refused, total, CAP);

        // each replica's metrics show the shared counter: what the two spent together
        for (int port : health) {
            String metrics = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            String ratio = metrics.lines()
                    .filter(l -> l.startsWith("llm_router_budget_used_ratio{"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no budget gauge in\n" + metrics));
            double value = Double.parseDouble(ratio.substring(ratio.lastIndexOf(' ') + 1));
            assertEquals(total / CAP, value, 0.02, ratio);
            assertTrue(metrics.contains("llm_router_state_connected 1.0"), "connected to Redis");
            JsonNode stats = Json.MAPPER.readTree(http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/stats"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            assertEquals("daily", stats.path("budgets").path(0).path("budget").asText(), stats.toString());
            assertEquals(2, stats.path("state").path("replicas").asInt(), "each replica counts both");
        }
    }

    private void replica(int n, int api, int health, Path policy) throws Exception {
        Path home = Files.createDirectories(dir.resolve("replica-" + n));
        Path config = Files.writeString(
                home.resolve("server.yaml"), """
                server: {port: %d, management: {port: %d}}
                router:
                  catalog: %s/config/catalog.yaml
                  policy: %s
                  classifier: %s/models/default
                  providers: simulated
                  trace: {dir: traces, prompts: none}
                  simulated: {latency_ms: 5, error_rate: 0}
                  state: {backend: redis, redis: {uri: "%s"}}
                """.formatted(api, health, REPO, policy, REPO, redis.uri()));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(
                        java.toString(),
                        "-Dai.djl.offline=true",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ReplicaMain.class.getName(),
                        config.toString())
                .redirectError(home.resolve("replica.log").toFile());
        builder.environment().put("OPT_OUT_TRACKING", "true");
        Process p = builder.start();
        processes.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("ready")) {
            // the replica's own output before it is ready
        }
        if (line == null) {
            throw new IllegalStateException(
                    "replica " + n + " exited:\n" + Files.readString(home.resolve("replica.log")));
        }
    }

    private void waitForBalancer(HttpClient http, int lb, Process balancer) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!balancer.isAlive()) {
                throw new IllegalStateException("haproxy exited:\n" + Files.readString(dir.resolve("haproxy.log")));
            }
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lb + "/v1/models"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(
                "haproxy did not pass requests:\n" + Files.readString(dir.resolve("haproxy.log")));
    }

    private static HttpRequest chat(int port, int n) {
        String body = """
                {"model": "router", "max_tokens": 60, "messages": [{"role": "user",
                 "content": "Summarise in two sentences the notes of meeting %d: the review moved to Friday."}]}
                """.formatted(n);
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
