package dev.llmrouter.evalsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.CatalogLoader;
import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.classify.Intents;
import dev.llmrouter.config.Documents;
import dev.llmrouter.gate.HeuristicAnswerGate;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.request.ChatRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replays small hand-made records through the real Router and checks decisions, costs, curves and reports. */
class EvaluationTest {
    static final Catalog CATALOG = CatalogLoader.admit(Documents.parse("""
            prices_as_of: 2026-01-01
            regions: [us]
            providers: {p: {kind: openai, base_url: "http://127.0.0.1:9/v1"}}
            models:
              - {id: cheap, provider: p, tier: 1, price: {input: 1, output: 1}, context_window: 100000,
                 max_output_tokens: 1000, region: us}
              - {id: strong, provider: p, tier: 3, price: {input: 10, output: 10}, context_window: 100000,
                 max_output_tokens: 1000, region: us}
            """, "catalog"), "catalog");

    /** Predicted cheap success is written in the prompt: "p=0.8 ...". */
    static final Classifier BY_PROMPT = new Classifier() {
        @Override
        public ClassifierInfo info() {
            return new ClassifierInfo("by-prompt", "0");
        }

        @Override
        public Set<String> intents() {
            return Set.copyOf(Intents.DEFAULT);
        }

        @Override
        public Classification classify(ChatRequest request) {
            double p = Double.parseDouble(request.lastUserText().substring(2, 5));
            return new Classification(Map.of("chat", 1.0), Map.of(1, p, 2, 0.99));
        }
    };

    @TempDir
    Path dir;

    static LabelledRecord record(int n, String category, double p, double cheap, double strong, String cheapAnswer) {
        LabelledRecord.Outcome c = new LabelledRecord.Outcome(
                cheap,
                OptionalDouble.empty(),
                OptionalInt.of(100),
                OptionalInt.of(100),
                OptionalInt.empty(),
                Optional.of(cheapAnswer));
        LabelledRecord.Outcome s = new LabelledRecord.Outcome(
                strong,
                OptionalDouble.empty(),
                OptionalInt.of(100),
                OptionalInt.of(100),
                OptionalInt.empty(),
                Optional.of("strong answer"));
        return new LabelledRecord(
                "r" + n,
                "test",
                category,
                Optional.empty(),
                String.format(java.util.Locale.ROOT, "p=%.1f question %d", p, n),
                List.of(),
                Map.of("cheap", c, "strong", s),
                Optional.empty(),
                "fixture.jsonl",
                n);
    }

    static final List<LabelledRecord> RECORDS = List.of(
            record(1, "math", 0.9, 1, 1, "ok"),
            record(2, "math", 0.8, 1, 0, "ok"),
            record(3, "math", 0.3, 0, 1, ""),
            record(4, "code", 0.2, 0, 1, ""),
            record(5, "code", 0.6, 0, 1, "ok"),
            record(6, "code", 0.4, 1, 1, "ok"));

    static Policy policy(String cascade) {
        return PolicyLoader.admit(
                Documents.parse("id: t\nversion: 1\nroutes:\n  - name: all\n    cascade: " + cascade, "policy"),
                "policy",
                CATALOG,
                Set.copyOf(Intents.DEFAULT));
    }

    static Replay replay() {
        return replay(RECORDS);
    }

    static Replay replay(List<LabelledRecord> records) {
        Pricing pricing = new Pricing(CATALOG, Map.of(), records, 400);
        return new Replay(
                EvalPair.of(CATALOG, "cheap", "strong", pricing, records, new TierMap(Map.of(), CATALOG)),
                BY_PROMPT,
                new HeuristicAnswerGate(),
                records);
    }

    /** {@code n} records whose cheap model answers with the predicted probability, the strong one 9 times in 10. */
    static List<LabelledRecord> noisy(int n, int copies) {
        java.util.Random random = new java.util.Random(7);
        List<LabelledRecord> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            double p = (i % 10) / 10.0;
            double cheap = random.nextDouble() < p ? 1 : 0;
            double strong = random.nextDouble() < 0.9 ? 1 : 0;
            for (int c = 0; c < copies; c++) {
                out.add(record(i * copies + c, "all", p, cheap, strong, "ok"));
            }
        }
        return out;
    }

    @Test
    void theRoutersApgrComesWithABootstrapIntervalThatNarrowsWithMoreRecords() {
        Policy policy = policy("{enabled: false, quality_floor: 0.5}");
        Evaluation.Options options = new Evaluation.Options(Evaluation.Sweep.FLOOR, 10, 1, 5);
        RouterScore once =
                Evaluation.run(replay(noisy(200, 1)), policy, options).routers().get("router");
        RouterScore fourTimes =
                Evaluation.run(replay(noisy(200, 4)), policy, options).routers().get("router");
        double apgr = once.apgr().orElseThrow();
        List<Double> interval = once.apgrInterval().orElseThrow();
        assertTrue(interval.get(0) < apgr && apgr < interval.get(1), apgr + " outside " + interval);
        // the same records four times: the same APGR, an interval about half as wide (1 / sqrt(4))
        assertEquals(apgr, fourTimes.apgr().orElseThrow(), 1e-9);
        List<Double> narrow = fourTimes.apgrInterval().orElseThrow();
        double ratio = (narrow.get(1) - narrow.get(0)) / (interval.get(1) - interval.get(0));
        assertTrue(ratio > 0.35 && ratio < 0.65, "width ratio " + ratio);
        // a fixed seed: a second run gives the same interval
        assertEquals(
                interval,
                Evaluation.run(replay(noisy(200, 1)), policy, options)
                        .routers()
                        .get("router")
                        .apgrInterval()
                        .orElseThrow());
        assertTrue(Evaluation.run(replay(noisy(200, 1)), policy, options)
                .routers()
                .get("random")
                .apgrInterval()
                .isEmpty());
    }

    @Test
    void preRouteSendsRecordsBelowTheFloorToTheStrongModel() {
        List<Decision> decisions = replay().run(policy("{enabled: false, quality_floor: 0.5}"));
        assertEquals(
                List.of(false, false, true, true, false, true),
                decisions.stream().map(Decision::strongCalled).toList());
        assertEquals(
                List.of(1.0, 1.0, 1.0, 1.0, 0.0, 1.0),
                decisions.stream().map(Decision::quality).toList());
        // 200 tokens at 1 or 10 USD per million
        assertEquals(0.0002, decisions.getFirst().costUsd(), 1e-12);
        assertEquals(0.002, decisions.get(2).costUsd(), 1e-12);
        assertFalse(decisions.stream().anyMatch(Decision::escalated));
    }

    @Test
    void aGatedCascadePaysForTheCheapCallWhenItEscalates() {
        List<Decision> decisions = replay().run(policy("{enabled: true, quality_floor: 0.0, gate_threshold: 0.5}"));
        Decision empty = decisions.get(2);
        assertTrue(empty.escalated());
        assertTrue(empty.strongCalled());
        assertEquals(Optional.of("strong"), empty.servedBy());
        assertEquals(0.0002 + 0.002, empty.costUsd(), 1e-12);
        assertEquals(Optional.of(0.0), empty.cheapGateScore());
        Decision answered = decisions.get(1);
        assertFalse(answered.escalated());
        assertEquals(Optional.of("cheap"), answered.servedBy());
    }

    @Test
    void theSweepRunsFromAlwaysCheapToAlwaysStrongAndBaselinesAreScored() {
        Evaluation.Result result = Evaluation.run(
                replay(),
                policy("{enabled: false, quality_floor: 0.5}"),
                new Evaluation.Options(Evaluation.Sweep.FLOOR, 10, 1, 5));
        RouterScore router = result.routers().get("router");
        assertEquals(0.0, router.curve().getFirst().strongShare());
        assertEquals(1.0, router.curve().getLast().strongShare());
        assertEquals(0.5, router.strongShare(), 1e-12);
        assertEquals(5.0 / 6, router.quality(), 1e-12);
        // cheap 3/6, strong 5/6: the configured point recovers the whole gap at half the strong calls
        assertEquals(1.0, Metrics.pgr(router.quality(), 0.5, 5.0 / 6).getAsDouble(), 1e-12);
        assertEquals(
                Set.of("router", "random", "always_cheap", "always_strong", "length", "knn", "best_single", "oracle"),
                result.routers().keySet());
        // the best single model is the strong one (5 of 6 right), all of the gap at every call
        RouterScore best = result.routers().get("best_single");
        assertEquals(5.0 / 6, best.quality(), 1e-12);
        assertEquals(1.0, best.apgr().orElseThrow(), 1e-12);
        assertEquals(1.0, best.strongShare(), 1e-12);
        assertEquals(Set.of("code", "math"), router.segments().keySet());
        assertEquals(3, router.segments().get("math").records());
        // positives (strong better) r3, r4, r5 at difficulty .7 .8 .4; negatives .1 .2 .6: 8 of 9 pairs ordered
        assertEquals(8.0 / 9, router.auc().orElseThrow(), 1e-12);
    }

    @Test
    void theReportIsWrittenAsJsonCsvPngAndHtml() throws Exception {
        Replay replay = replay();
        Policy a = policy("{enabled: false, quality_floor: 0.5}");
        Evaluation.Result result = Evaluation.run(replay, a, Evaluation.Options.DEFAULT);
        PolicyDiff.Result diff = PolicyDiff.compare(
                replay.outcomes(), result.configured(), replay.run(policy("{enabled: false, quality_floor: 0.7}")));
        assertEquals(1, diff.changed(), "only the p=0.6 record moves to strong");
        assertEquals(1.0 / 6, diff.qualityDelta(), 1e-12);
        EvalReport report = new EvalReport(
                new EvalReport.Meta(
                        List.of("fixture.jsonl"),
                        6,
                        0,
                        "all",
                        1,
                        "cheap",
                        "strong",
                        "floor",
                        "t v1",
                        Optional.of("b.yaml"),
                        "by-prompt",
                        "gate",
                        "list prices",
                        result.routes(),
                        0.1,
                        1.0,
                        "test"),
                result.routers(),
                Pareto.of(replay.records(), new Pricing(CATALOG, Map.of(), RECORDS, 400)),
                Optional.of(diff));
        List<Path> files = ReportWriter.write(report, dir.resolve("out"));
        assertEquals(4, files.size());
        var json = dev.llmrouter.request.Json.MAPPER.readTree(files.getFirst().toFile());
        for (String key : List.of("router", "random", "always_cheap", "always_strong", "length", "oracle")) {
            var r = json.get("routers").get(key);
            for (String field : List.of(
                    "apgr",
                    "cpt",
                    "auc",
                    "quality",
                    "cost_usd",
                    "strong_share",
                    "escalation_rate",
                    "segments",
                    "curve")) {
                assertTrue(r.has(field), key + " lacks " + field);
            }
            assertTrue(r.get("cpt").has("50")
                    && r.get("cpt").has("80")
                    && r.get("cpt").has("95"));
            // a successful task's cost: the mean cost of a request over the mean quality
            RouterScore score = result.routers().get(key);
            assertTrue(!key.equals("router") || score.costPerSuccessfulTaskUsd().isPresent());
            score.costPerSuccessfulTaskUsd()
                    .ifPresent(c -> assertEquals(
                            score.costUsd() / RECORDS.size() / score.quality(),
                            r.get("cost_per_successful_task_usd").asDouble(),
                            1e-12,
                            key));
        }
        assertTrue(Files.readString(files.get(1)).startsWith("router,threshold,strong_share,quality,cost_usd"));
        byte[] png = Files.readAllBytes(files.get(2));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        String html = Files.readString(files.get(3));
        assertTrue(html.contains("data:image/png;base64,") && html.contains("Policy diff"));
    }
}
