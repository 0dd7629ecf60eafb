package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.request.Json;
import dev.llmrouter.testing.ExternalTool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in dashboard in a real browser (Debian's headless Chromium) against a router with the shipped
 * config under traffic: the page loads with no error of any kind (script, resource, promise, console), every
 * chart draws a series with data, and {@code /admin/stats} agrees with the traffic sent. The screenshot goes
 * to {@code server/target/dashboard.png} (docs/dashboard.png is one of them).
 */
class DashboardBrowserTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String[] PROMPTS = {
        "Fix this bug in my Python function: def add(a, b): return a - b",
        "Write a SQL query that returns the ten most recent orders per customer.",
        "What is the capital of Australia?",
        "Summarise the plot of Hamlet in three sentences.",
        "Prove that the square root of 2 is irrational.",
        "Translate 'good morning, how are you?' into Spanish."
    };

    @TempDir
    Path dir;

    RouterServer router;

    @BeforeEach
    void start() throws Exception {
        // the shipped policy with a daily cap, so the budgets card has a counter to show
        Path policy = Files.writeString(
                dir.resolve("policy.yaml"),
                Files.readString(REPO.resolve("config/policy.yaml"))
                        + "\nbudgets:\n  - {name: daily, window: daily, cap_usd: 50}\n");
        Path config = Files.writeString(dir.resolve("server.yaml"), """
                server: {port: 0, management: {port: 0}}
                router:
                  catalog: %s/config/catalog.yaml
                  policy: %s
                  classifier: models/default
                  providers: simulated
                  trace: {dir: traces, prompts: none}
                  simulated: {latency_ms: 0, error_rate: 0.1}
                """.formatted(REPO, policy));
        router = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), REPO);
    }

    @AfterEach
    void stop() {
        router.close();
    }

    @Test
    void thePageDrawsEveryChartWithNoErrorAndItsFiguresAreTheTraffics() throws Exception {
        Path chromium = ExternalTool.require("chromium", "apt-get install chromium");
        // a shadow candidate (the shipped policy with a higher floor) decides beside the live router
        String stricter = Files.readString(REPO.resolve("config/policy.yaml"))
                .replace("version: 1", "version: 2")
                .replaceAll("quality_floor: 0\\.[0-9]+", "quality_floor: 0.95");
        HttpResponse<String> candidate = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.managementPort() + "/admin/candidate"))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(Json.MAPPER
                                .createObjectNode()
                                .put("policy", stricter)
                                .toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, candidate.statusCode(), candidate.body());
        int served = 0;
        for (int i = 0; i < 120; i++) {
            HttpResponse<String> res = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + "/v1/chat/completions"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"router\", \"messages\":"
                                    + " [{\"role\": \"user\", \"content\": \"" + PROMPTS[i % PROMPTS.length] + " (" + i
                                    + ")\"}]}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            served += res.statusCode() == 200 ? 1 : 0;
            if (i % 4 == 0 && res.statusCode() == 200) {
                HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + "/v1/feedback"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"trace_id\": \""
                                        + res.headers()
                                                .firstValue("x-router-trace-id")
                                                .orElseThrow()
                                        + "\", \"score\": " + (i % 8 == 0 ? 0.9 : 0.4) + "}"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        }

        JsonNode stats = Json.MAPPER.readTree(get("/admin/stats?window=15m"));
        long requests = 0;
        long answered = 0;
        for (JsonNode route : stats.path("groups")) {
            requests += route.path("requests").asLong();
            answered += route.path("served").asLong();
        }
        assertEquals(120, requests, "every request is counted once");
        assertEquals(served, answered);
        assertTrue(stats.path("bounds").has("code"), "the live policy's watch bounds come along");
        assertEquals(15, stats.path("series").path("minutes").size(), "a value a minute");

        String url = "http://127.0.0.1:" + router.managementPort() + "/dashboard";
        String dom = ExternalTool.run(
                dir,
                chromium.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--virtual-time-budget=5000",
                "--dump-dom",
                url);
        Matcher body = Pattern.compile("<body([^>]*)>").matcher(dom);
        assertTrue(body.find(), dom);
        assertTrue(body.group(1).contains("data-status=\"ready\""), "the page finished drawing: " + body.group(1));
        assertFalse(body.group(1).contains("data-errors"), "errors on the page: " + body.group(1));
        for (String chart : new String[] {"escalation", "requests", "fallbacks", "decision"}) {
            Matcher points = Pattern.compile("id=\"" + chart + "\"[^>]*data-points=\"(\\d+)\"")
                    .matcher(dom);
            assertTrue(points.find(), chart + " was drawn");
            assertTrue(Integer.parseInt(points.group(1)) > 0, chart + " has data");
        }
        assertTrue(dom.contains(">code<"), "the routes table names the routes");
        assertTrue(dom.contains("shadow onnx:default / policy default v2"), "the candidate's card: " + dom);
        assertTrue(dom.contains("agreement"), "with its agreement per route");
        assertTrue(dom.contains("daily <span class=\"empty\">(cap_usd)</span>"), "the budgets card: " + dom);
        assertTrue(dom.contains("1 replica"), "and the state it reads");

        Path shot = Path.of("target", "dashboard.png").toAbsolutePath();
        Files.deleteIfExists(shot);
        ExternalTool.run(
                dir,
                chromium.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--window-size=1400,1250",
                "--virtual-time-budget=5000",
                "--screenshot=" + shot,
                url);
        assertTrue(Files.size(shot) > 10_000, "a screenshot with something in it");
    }

    private String get(String path) throws Exception {
        HttpResponse<String> res = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.managementPort() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode(), res.body());
        return res.body();
    }
}
