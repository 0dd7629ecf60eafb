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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A classifier bundle goes live without a restart: {@code PUT /admin/classifier} admits it or refuses it with
 * every reason, requests in flight finish with the one they started with, every change is audited and kept in
 * the state folder's history, and the accepted bundle survives a restart until the configured one changes.
 */
class ClassifierSwapTest {
    static final String ADMIN_KEY = "operator-key";
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    Path config;
    RouterServer server;

    @BeforeEach
    void start() throws Exception {
        copyBundle(REPO.resolve("models/default"), dir.resolve("live"));
        config = Files.writeString(dir.resolve("server.yaml"), """
                server: {port: 0, management: {port: 0}}
                router:
                  catalog: %s/config/catalog.yaml
                  policy: %s/config/policy.yaml
                  classifier: live
                  providers: simulated
                  admin_keys: [%s]
                  state_dir: state
                  trace: {dir: traces, prompts: none}
                  simulated: {latency_ms: 0, error_rate: 0}
                """.formatted(REPO, REPO, ADMIN_KEY));
        server = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static void copyBundle(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    HttpResponse<String> put(Path bundle) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.managementPort() + "/admin/classifier"))
                        .header("Authorization", "Bearer " + ADMIN_KEY)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(Json.MAPPER
                                .createObjectNode()
                                .put("path", bundle.toString())
                                .toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode admin(String path) throws Exception {
        HttpResponse<String> res = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.managementPort() + path))
                        .header("Authorization", "Bearer " + ADMIN_KEY)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode(), res.body());
        return Json.MAPPER.readTree(res.body());
    }

    /** The classifier id in the trace of one routed request. */
    String routedWith() throws Exception {
        HttpResponse<String> res = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"router\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi there\"}]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode(), res.body());
        String id = res.headers().firstValue("x-router-trace-id").orElseThrow();
        JsonNode explain = Json.MAPPER.readTree(HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/route"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi there\"}]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
        assertFalse(id.isBlank());
        return explain.path("classifier").path("id").asText();
    }

    List<JsonNode> audits() throws Exception {
        return LogLines.of(dir.resolve("traces"), "audit");
    }

    @Test
    void aBundleGoesLiveWithoutARestartAndStaysAfterOne() throws Exception {
        assertEquals("onnx:live", admin("/admin/classifier").path("id").asText());
        assertEquals("onnx:live", routedWith());
        Path candidate = dir.resolve("candidate");
        copyBundle(REPO.resolve("models/default"), candidate);

        HttpResponse<String> res = put(candidate);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals(
                "onnx:candidate", Json.MAPPER.readTree(res.body()).path("id").asText());
        assertEquals("onnx:candidate", routedWith(), "the next request routes with it");
        String metrics = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.managementPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(metrics.contains("llm_router_classifier_info{classifier=\"onnx:candidate\"}"), metrics);
        assertFalse(metrics.contains("classifier=\"onnx:live\"} 1"), "one series: the classifier in force");

        // the history: the start's policy and classifier, then the accepted bundle, with a copy of each
        JsonNode history = admin("/admin/history").path("data");
        assertEquals(3, history.size(), history.toString());
        assertEquals("classifier", history.get(2).path("kind").asText());
        assertEquals("onnx:candidate", history.get(2).path("id").asText());
        Path copy = dir.resolve("state").resolve(history.get(2).path("copy").asText());
        assertTrue(Files.isRegularFile(copy.resolve("intent.onnx")), copy.toString());
        assertTrue(Files.isRegularFile(
                dir.resolve("state").resolve(history.get(0).path("copy").asText())));

        // the candidate's folder may change or go: the router restarts with its copy
        server.close();
        Files.delete(candidate.resolve("intent.onnx"));
        server = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), dir);
        assertEquals("onnx:candidate", routedWith(), "kept across the restart");
        assertEquals(3, admin("/admin/history").path("data").size(), "the same versions: no new line");

        // the operator changes the configured bundle: the edit is newer than the stored change, and wins
        server.close();
        Files.writeString(dir.resolve("live/README"), "rebuilt\n");
        server = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), dir);
        assertEquals("onnx:live", routedWith());
        JsonNode after = admin("/admin/history").path("data");
        assertEquals("onnx:live", after.get(after.size() - 1).path("id").asText());
    }

    @Test
    void aBundleThePolicyOrItsOwnFilesRefuseChangesNothing() throws Exception {
        // the intents the policy in force routes on are not all in the bundle
        Path renamed = dir.resolve("renamed");
        copyBundle(REPO.resolve("models/default"), renamed);
        for (String card : new String[] {"intent.json", "classifier.json"}) {
            Files.writeString(
                    renamed.resolve(card),
                    Files.readString(renamed.resolve(card)).replace("\"code\"", "\"coding\""));
        }
        HttpResponse<String> intents = put(renamed);
        assertEquals(422, intents.statusCode(), intents.body());
        assertTrue(intents.body().contains("unknown intent 'code'"), intents.body());
        // a model file that is not the one its card describes
        Path tampered = dir.resolve("tampered");
        copyBundle(REPO.resolve("models/default"), tampered);
        byte[] bytes = Files.readAllBytes(tampered.resolve("difficulty.onnx"));
        bytes[bytes.length - 1] ^= 1;
        Files.write(tampered.resolve("difficulty.onnx"), bytes);
        HttpResponse<String> hashes = put(tampered);
        assertEquals(422, hashes.statusCode(), hashes.body());
        assertTrue(hashes.body().contains("differs from its card"), hashes.body());
        HttpResponse<String> missing = put(dir.resolve("nowhere"));
        assertEquals(422, missing.statusCode(), missing.body());
        assertTrue(missing.body().contains("no bundle folder at"), missing.body());

        assertEquals("onnx:live", routedWith(), "the classifier in force is unchanged");
        List<String> results = audits().stream()
                .filter(a -> a.path("action").asText().equals("classifier_replace"))
                .map(a -> a.path("result").asText())
                .toList();
        assertEquals(List.of("refused", "refused", "refused"), results);
        assertEquals(2, admin("/admin/history").path("data").size(), "only the start's versions");
    }

    @Test
    void requestsInFlightFinishWhileBundlesAreSwapped() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        copyBundle(REPO.resolve("models/default"), a);
        copyBundle(REPO.resolve("models/default"), b);
        AtomicBoolean swapping = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> load = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            load.add(pool.submit(() -> {
                int served = 0;
                while (swapping.get()) {
                    routedWith();
                    served++;
                }
                return served;
            }));
        }
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> res = put(i % 2 == 0 ? a : b);
            assertEquals(200, res.statusCode(), res.body());
        }
        swapping.set(false);
        int served = 0;
        for (Future<Integer> f : load) {
            served += f.get(); // a failed request fails the test here
        }
        pool.shutdown();
        assertTrue(served > 0);
        assertEquals("onnx:b", routedWith());
    }
}
