package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.CatalogLoader;
import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.evalsets.OffPolicy;
import dev.llmrouter.provider.ProviderCall;
import dev.llmrouter.provider.SimulatedProvider;
import dev.llmrouter.request.ChatRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exploration gives the log unbiased labels. On the simulated provider with a shared prompt difficulty (what a
 * cheap model fails, a stronger one fails more often than on average), a cascade sees its tier-2 model mostly
 * on the prompts tier 1 failed: the naive mean of the logged tier-2 outcomes is far below the truth. A shadow
 * exploration of the route's other tiers, weighted by its propensity, recovers the truth, which this test
 * measures by asking the simulated provider about every prompt directly.
 */
class ExplorationLogTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final int REQUESTS = 2000;
    static final String CHEAP = "llama-3.1-8b-instruct";
    static final String MID = "mixtral-8x7b-instruct";
    static final String STRONG = "gpt-4o";
    static final SimulatedProvider.Settings WORLD =
            new SimulatedProvider.Settings(Duration.ZERO, 0, Map.of(1, 0.6, 2, 0.75, 3, 0.9), 0.85);

    @TempDir
    Path dir;

    @Test
    void inversePropensityWeightsRecoverWhatTheNaiveMeanOfTheLogMisses() throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), """
                id: explore-simulation
                version: 1
                routes:
                  - name: all
                    filter: {allowed_models: [%s, %s, %s]}
                    cascade: {enabled: true, quality_floor: 0, gate_threshold: 0.5, max_escalations: 1}
                    explore: {share: 0.5, mode: shadow}
                """.formatted(CHEAP, MID, STRONG));
        Path config = Files.writeString(dir.resolve("server.yaml"), """
                server: {port: 0, management: {port: 0}}
                router:
                  catalog: %s/config/catalog.yaml
                  policy: policy.yaml
                  classifier: heuristic
                  providers: simulated
                  trace: {dir: traces, prompts: none}
                  simulated: {latency_ms: 0, error_rate: 0, quality: {1: 0.6, 2: 0.75, 3: 0.9}, difficulty: 0.85}
                """.formatted(REPO));
        List<String> prompts = new ArrayList<>();
        try (RouterServer server = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), dir)) {
            for (int i = 0; i < REQUESTS; i++) {
                String prompt = "Question number " + i + ": what happens next in the story?";
                prompts.add(prompt);
                HttpResponse<String> res = LogLines.chat(server.port(), prompt);
                assertEquals(200, res.statusCode(), res.body());
            }
            awaitExplorations();
            String metrics = HTTP.send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + server.managementPort() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertTrue(
                    metrics.contains(
                            "llm_router_explorations_total{mode=\"shadow\",result=\"explored\",route=\"all\"}"),
                    metrics);
            assertTrue(metrics.contains(
                    "llm_router_exploration_cost_usd_total{mode=\"shadow\",model=\"" + MID + "\",route=\"all\"}"));
        }

        Map<String, OffPolicy.Estimate> byModel =
                OffPolicy.of(logs()).stream().collect(Collectors.toMap(OffPolicy.Estimate::model, e -> e));
        for (String model : List.of(MID, STRONG)) {
            OffPolicy.Estimate e = byModel.get(model);
            double truth = truth(model, prompts);
            System.out.printf(
                    java.util.Locale.ROOT,
                    "%s: truth %.3f, naive %.3f (%d of %d requests), IPS %.3f [%.3f, %.3f]%n",
                    model,
                    truth,
                    e.naive(),
                    e.observed(),
                    e.requests(),
                    e.ips(),
                    e.low(),
                    e.high());
            assertEquals(REQUESTS, e.requests());
            // within 1.7 half-widths of the 95% interval (3.3 standard errors): the draws follow random trace ids
            assertEquals(truth, e.ips(), 1.7 * (e.high() - e.ips()), model + ": " + e);
            if (model.equals(MID)) {
                // seen mostly where tier 1 failed: the hard prompts
                assertTrue(truth - e.naive() > 0.1, model + ": naive " + e.naive() + " against truth " + truth);
            }
        }
        // tier 1 starts every request: seen everywhere, its naive mean is the truth
        OffPolicy.Estimate cheap = byModel.get(CHEAP);
        assertEquals(truth(CHEAP, prompts), cheap.naive(), 1e-9);
        assertEquals(cheap.naive(), cheap.ips(), 1e-9);
    }

    /** Waits until every explored request's shadow call is in the log (they run after the answer). */
    private void awaitExplorations() throws Exception {
        for (int tries = 0; tries < 200; tries++) {
            long drawn = LogLines.of(dir.resolve("traces"), "trace").stream()
                    .filter(t -> t.path("trace").path("exploration").has("model"))
                    .count();
            long logged = LogLines.of(dir.resolve("traces"), "exploration").size();
            if (drawn > 0 && drawn == logged) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the shadow explorations did not all reach the log");
    }

    private List<Path> logs() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("traces"))) {
            return files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    /** The share of the prompts {@code model} answers in full, asked directly. */
    private static double truth(String model, List<String> prompts) throws Exception {
        Catalog catalog = CatalogLoader.load(REPO.resolve("config/catalog.yaml"));
        ModelSpec spec = catalog.model(model).orElseThrow();
        SimulatedProvider provider = new SimulatedProvider(WORLD, Map.of(spec.upstreamId(), spec.tier()));
        int full = 0;
        for (String prompt : prompts) {
            ProviderCall call = new ProviderCall(
                    spec.upstreamId(),
                    ChatRequest.ofPrompt(prompt),
                    catalog.providerOf(spec).timeouts());
            full += provider.complete(call).finishReason().equals("stop") ? 1 : 0;
        }
        return full / (double) prompts.size();
    }
}
