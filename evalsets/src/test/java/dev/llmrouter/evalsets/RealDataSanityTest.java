package dev.llmrouter.evalsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.CatalogLoader;
import dev.llmrouter.classify.HeuristicClassifier;
import dev.llmrouter.classify.Intents;
import dev.llmrouter.gate.HeuristicAnswerGate;
import dev.llmrouter.policy.PolicyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bars of the evaluator on the real labelled sets in {@code ../shared/evalsets} (or
 * {@code $LLM_ROUTER_EVALSETS}): on every set random recovers half the gap, the oracle far more, and the
 * constant routers sit at the ends. Skipped, saying so, where the sets are absent (a user's clone).
 */
class RealDataSanityTest {
    static final Path EVALSETS = Path.of(System.getenv().getOrDefault("LLM_ROUTER_EVALSETS", "../../shared/evalsets"));
    static final Catalog CATALOG = CatalogLoader.load(Path.of("../config/catalog.yaml"));

    @ParameterizedTest(name = "{0}: {1} vs {2}")
    @CsvSource({
        "routellm-mmlu.jsonl, mixtral-8x7b-instruct, gpt-4-1106-preview, false",
        "routellm-gsm8k.jsonl, mixtral-8x7b-instruct, gpt-4-1106-preview, true",
        "routellm-mtbench.jsonl, mixtral-8x7b-instruct, gpt-4-1106-preview, true",
        "mmlu-pro.jsonl, Mixtral-8x7B-Instruct-v0.1, gpt-4o-2024-05-13, false",
        "routerbench-subset.jsonl, mistralai/mixtral-8x7b-chat, gpt-4-1106-preview, true",
        "llmrouter.jsonl, mistral-7b-instruct-v0.3, llama-3.1-nemotron-51b-instruct, false"
    })
    void baselinesBehaveOnEveryRealSet(String file, String cheap, String strong, boolean replayRouter) {
        Path path = EVALSETS.resolve(file);
        assumeTrue(
                Files.exists(path),
                "skipped: " + path.toAbsolutePath() + " not found; the real evalsets are read"
                        + " from ../shared/evalsets or $LLM_ROUTER_EVALSETS");
        List<LabelledRecord> records = RecordLoader.load(List.of(path), false).records();
        Map<String, double[]> prices = new HashMap<>();
        prices.put(cheap, new double[] {0.2, 0.2});
        prices.put(strong, new double[] {5, 15});
        Pricing pricing = new Pricing(CATALOG, prices, records, 400);
        EvalPair pair = EvalPair.of(CATALOG, cheap, strong, pricing, records, new TierMap(Map.of(), CATALOG));
        Replay replay = new Replay(pair, new HeuristicClassifier(), new HeuristicAnswerGate(), records);
        List<PairOutcome> items = replay.outcomes();
        assertTrue(items.size() > 100, file + " has " + items.size() + " records with both outcomes");
        double q0 = Baselines.alwaysCheap(items).quality();
        double q1 = Baselines.alwaysStrong(items).quality();
        assertTrue(q1 > q0, file + ": the strong model should score higher (" + q1 + " vs " + q0 + ")");
        double random = Metrics.apgr(Baselines.random(items, 42, 20), q0, q1).getAsDouble();
        assertEquals(0.5, random, 0.02, file + ": random APGR");
        double oracle = Metrics.apgr(Baselines.oracle(items, 200), q0, q1).getAsDouble();
        assertTrue(oracle > 0.9, file + ": oracle APGR " + oracle);
        assertEquals(0.0, Metrics.cpt(Baselines.oracle(items, 200), q0, q1, 0.5).getAsDouble(), 0.35);
        if (replayRouter) {
            var policy = PolicyLoader.load(
                    Path.of("../config/eval-policy.yaml"),
                    CATALOG.withModels(pair.catalog().models(), CATALOG.hash()),
                    Set.copyOf(Intents.DEFAULT));
            Evaluation.Result result = Evaluation.run(replay, policy, Evaluation.Options.DEFAULT);
            RouterScore router = result.routers().get("router");
            // the gap sweep: the top gap routes nothing strong, gap 0 sends each record to its likeliest model
            // (the strong one, for the heuristic, which never predicts the cheap tier above the strong one)
            assertEquals(1.0, router.curve().getFirst().strongShare(), 1e-12, "gap 0 routes everything strong");
            assertEquals(0.0, router.curve().getLast().strongShare(), 1e-12, "the top gap routes nothing strong");
            assertEquals(0.5, result.routers().get("random").apgr().orElseThrow(), 0.02);
            assertEquals(0.0, result.routers().get("always_cheap").strongShare());
            assertEquals(1.0, result.routers().get("always_strong").strongShare());
        }
    }
}
