package dev.llmrouter.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.CatalogLoader;
import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.classify.onnx.OnnxClassifier;
import dev.llmrouter.config.Documents;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.TierMap;
import dev.llmrouter.features.ModelCard;
import dev.llmrouter.features.SparseVector;
import dev.llmrouter.request.ChatRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trains on a small synthetic set, exports to ONNX, and runs the bundle through DJL as the router does. */
class ClassifierTrainerTest {
    static final Catalog CATALOG = CatalogLoader.admit(Documents.parse("""
            prices_as_of: 2026-01-01
            regions: [us]
            providers: {p: {kind: openai, base_url: "http://127.0.0.1:9/v1"}}
            models:
              - {id: cheap, provider: p, tier: 1, price: {input: 1, output: 1}, context_window: 9000,
                 max_output_tokens: 100, region: us}
            """, "catalog"), "catalog");
    static final TierMap TIERS = new TierMap(Map.of("strong", 2), CATALOG);
    static final IntentMap INTENTS =
            new IntentMap(List.of("math", "writing"), Map.of("fixture", Map.of("sums", "math", "poems", "writing")));
    static final ClassifierTrainer.Options OPTIONS = new ClassifierTrainer.Options(
            dev.llmrouter.features.FeatureSpec.DEFAULT,
            7,
            0.25,
            5,
            0.5,
            0.5,
            1,
            1,
            20_000,
            0.8,
            ClassifierTrainer.Difficulty.TIERS,
            0);

    @TempDir
    static Path dir;

    static List<LabelledRecord> records;
    static List<ModelCard> cards;

    static LabelledRecord record(int i, Random random) {
        boolean hard = i % 3 == 0;
        boolean math = i % 2 == 0;
        String prompt = math
                ? (hard
                        ? "Prove rigorously that the sum of the series " + i + " converges, by induction"
                        : "What is " + i + " plus " + (i + 1) + "?")
                : (hard
                        ? "Write a sonnet in iambic pentameter about entropy number " + i
                        : "Write a short poem about the sea, please, number " + i);
        double cheap = hard ? (random.nextDouble() < 0.15 ? 1 : 0) : (random.nextDouble() < 0.9 ? 1 : 0);
        double strong = random.nextDouble() < (hard ? 0.8 : 0.95) ? 1 : 0;
        return new LabelledRecord(
                "r" + i,
                "fixture",
                math ? "sums" : "poems",
                Optional.empty(),
                prompt,
                List.of(),
                Map.of("cheap", outcome(cheap), "strong", outcome(strong)),
                Optional.empty(),
                "fixture.jsonl",
                i + 1);
    }

    static LabelledRecord.Outcome outcome(double score) {
        return new LabelledRecord.Outcome(
                score,
                OptionalDouble.empty(),
                OptionalInt.empty(),
                OptionalInt.empty(),
                OptionalInt.empty(),
                Optional.empty());
    }

    @BeforeAll
    static void train() throws Exception {
        Random random = new Random(1);
        records = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            records.add(record(i, random));
        }
        Path data = Files.writeString(dir.resolve("fixture.jsonl"), "stands in for the training file\n");
        cards = ClassifierTrainer.train(
                List.of(data), records, List.of(), INTENTS, TIERS, OPTIONS, dir.resolve("bundle"), line -> {});
    }

    @Test
    void exportsAnIntentModelAndOneDifficultyModelPerTierWithCards() throws Exception {
        assertEquals(
                List.of("intent", "difficulty-tier1", "difficulty-tier2", "classifier"),
                cards.stream().map(ModelCard::name).toList());
        ModelCard joined = cards.getLast();
        assertEquals(List.of("intent", "difficulty-tier1", "difficulty-tier2"), joined.labels());
        assertTrue(
                joined.metrics().get("combined_parity_max_abs_diff") <= 1e-5,
                joined.metrics().toString());
        for (ModelCard card : cards.subList(0, 3)) {
            Path onnx = dir.resolve("bundle").resolve(card.name() + ".onnx");
            assertEquals(Sha256.hex(Files.readAllBytes(onnx)), card.onnxSha256());
            assertEquals(card, ModelCard.read(dir.resolve("bundle").resolve(card.name() + ".json")));
            assertEquals(dev.llmrouter.features.FeatureSpec.DEFAULT.hash(), card.featureSpecHash());
            assertTrue(
                    card.metrics().get("onnx_parity_max_abs_diff") <= 1e-5,
                    card.metrics().toString());
            assertTrue(card.provenance().contains("LinearSGDTrainer"), "Tribuo provenance is in the card");
            assertEquals(600, card.training().getFirst().rows());
        }
        ModelCard tier1 = cards.get(1);
        assertEquals("ok", tier1.positiveLabel());
        assertTrue(tier1.metrics().get("roc_auc") > 0.8, tier1.metrics().toString());
        assertTrue(tier1.metrics().containsKey("ece"));
        assertTrue(tier1.thresholds().containsKey("quality_floor_for_strong_share_0.50"));
    }

    @Test
    void theBundleRunsThroughDjlAndSeparatesEasyFromHard() {
        try (OnnxClassifier classifier = OnnxClassifier.load(dir.resolve("bundle"), Device.AUTO)) {
            Classification easy = classifier.classify(ChatRequest.ofPrompt("What is 12 plus 13?"));
            Classification hard = classifier.classify(
                    ChatRequest.ofPrompt("Prove rigorously that the sum of the series 4 converges, by induction"));
            assertEquals("math", easy.topIntent());
            assertEquals(
                    "writing",
                    classifier
                            .classify(ChatRequest.ofPrompt("Write a short poem about the sea"))
                            .topIntent());
            assertTrue(easy.successAt(1) > hard.successAt(1) + 0.3, easy + " vs " + hard);
            assertEquals(java.util.Set.of(1, 2), classifier.tiers());
            assertTrue(classifier.info().id().startsWith("onnx:"));
        }
    }

    @Test
    void aFollowUpLeansTowardsTheConversationsIntentUnlessItSaysOtherwise() {
        try (OnnxClassifier classifier = OnnxClassifier.load(dir.resolve("bundle"), Device.CPU)) {
            String followUp = "And the next one, number 8?";
            Classification alone = classifier.classify(ChatRequest.ofPrompt(followUp));
            Classification afterSums = classifier.classify(conversation("What is 3 plus 4?", followUp));
            Classification afterPoems = classifier.classify(conversation("Write a short poem about the sea", followUp));
            // the conversation moves the follow-up's reading towards its own intent
            assertTrue(
                    afterSums.intents().get("math") > alone.intents().get("math") + 0.05, afterSums + " vs " + alone);
            assertTrue(
                    afterPoems.intents().get("writing") > alone.intents().get("writing") + 0.05,
                    afterPoems + " vs " + alone);
            // its own reading times an even mixture of the conversation's and no preference, normalised
            Map<String, Double> first = classifier
                    .classify(ChatRequest.ofPrompt("What is 3 plus 4?"))
                    .intents();
            int k = first.size();
            double sum = alone.intents().keySet().stream()
                    .mapToDouble(i -> alone.intents().get(i) * (0.5 * first.get(i) + 0.5 / k))
                    .sum();
            alone.intents()
                    .forEach((i, v) -> assertEquals(
                            v * (0.5 * first.get(i) + 0.5 / k) / sum,
                            afterSums.intents().get(i),
                            1e-5));
            // a follow-up that clearly asks for the other intent still moves it
            assertEquals(
                    "writing",
                    classifier
                            .classify(conversation(
                                    "What is 3 plus 4?", "Write a sonnet in iambic pentameter about entropy"))
                            .topIntent());
        }
    }

    static ChatRequest conversation(String first, String last) {
        return new ChatRequest(
                List.of(
                        dev.llmrouter.request.Message.of("user", first),
                        dev.llmrouter.request.Message.of("assistant", "An answer."),
                        dev.llmrouter.request.Message.of("user", last)),
                OptionalInt.empty(),
                false,
                Map.of(),
                Map.of(),
                "");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"words+minilm", "words+static"})
    void sentenceEmbeddingFeaturesTrainExportAndServe(String features) {
        dev.llmrouter.features.FeatureSpec spec = dev.llmrouter.features.FeatureSpec.named(features);
        ClassifierTrainer.Options withEncoder = new ClassifierTrainer.Options(
                spec, 7, 0.25, 5, 0.5, 0.5, 1, 1, 20_000, 0.8, ClassifierTrainer.Difficulty.TIERS, 0);
        List<ModelCard> embedded = ClassifierTrainer.train(
                List.of(dir.resolve("fixture.jsonl")),
                records,
                List.of(),
                INTENTS,
                TIERS,
                withEncoder,
                dir.resolve(features),
                line -> {});
        for (ModelCard card : embedded) {
            assertEquals(spec.hash(), card.featureSpecHash());
            assertTrue(card.columnSet().get(dev.llmrouter.features.FeatureSpec.COUNTS.size()), "embedding columns");
        }
        assertTrue(embedded.getLast().metrics().get("combined_parity_max_abs_diff") <= 1e-5);
        try (OnnxClassifier classifier = OnnxClassifier.load(dir.resolve(features), Device.CPU)) {
            Classification easy = classifier.classify(ChatRequest.ofPrompt("What is 12 plus 13?"));
            Classification hard = classifier.classify(
                    ChatRequest.ofPrompt("Prove rigorously that the sum of the series 4 converges, by induction"));
            assertEquals("math", easy.topIntent());
            assertTrue(easy.successAt(1) > hard.successAt(1) + 0.3, easy + " vs " + hard);
        }
    }

    @Test
    void aGpuRequestWithoutAGpuRunsOnTheCpu() {
        try (OnnxClassifier classifier = OnnxClassifier.load(dir.resolve("bundle"), Device.GPU)) {
            assertEquals(
                    "math",
                    classifier
                            .classify(ChatRequest.ofPrompt("What is 1 plus 2?"))
                            .topIntent());
        }
    }

    @Test
    void aRareIntentWeighsMoreUpToTheCap() {
        Labelled data = new Labelled();
        Map<String, Integer> counts = Map.of("chat", 900, "code", 400, "writing", 100);
        counts.forEach((label, n) -> {
            for (int i = 0; i < n; i++) {
                data.train().add(new SparseVector(new int[] {i}, new float[] {1}));
                data.trainLabels().add(label);
            }
        });
        Labelled balanced = ClassifierTrainer.balanced(data, 600, 7);
        // chat is cut to 600 prompts; code weighs 600/400; writing would weigh 6 but is capped
        assertEquals(600, balanced.trainLabels().stream().filter("chat"::equals).count());
        assertEquals(
                Map.of("chat", 1.0, "code", 1.5, "writing", ClassifierTrainer.MAX_CLASS_WEIGHT),
                balanced.classWeights());
    }

    @Test
    void trainingIsReproducibleForASeed() throws Exception {
        List<ModelCard> again = ClassifierTrainer.train(
                List.of(dir.resolve("fixture.jsonl")),
                records,
                List.of(),
                INTENTS,
                TIERS,
                OPTIONS,
                dir.resolve("again"),
                line -> {});
        assertEquals(
                cards.stream().map(c -> c.metrics().get("roc_auc")).toList(),
                again.stream().map(c -> c.metrics().get("roc_auc")).toList());
        try (OnnxClassifier a = OnnxClassifier.load(dir.resolve("bundle"), Device.CPU);
                OnnxClassifier b = OnnxClassifier.load(dir.resolve("again"), Device.CPU)) {
            for (LabelledRecord r : records.subList(0, 50)) {
                ChatRequest request = ChatRequest.ofPrompt(r.prompt());
                assertEquals(a.classify(request), b.classify(request));
            }
        }
    }

    @Test
    void aModelTrainedOnOtherFeaturesIsRefusedWithTheReason() throws Exception {
        Path copy = dir.resolve("mismatch");
        Files.createDirectories(copy);
        for (String file : List.of("intent", "difficulty-tier1")) {
            Files.copy(dir.resolve("bundle").resolve(file + ".onnx"), copy.resolve(file + ".onnx"));
            ModelCard card = ModelCard.read(dir.resolve("bundle").resolve(file + ".json"));
            card.toBuilder()
                    .features("version=hashed-v0", "0".repeat(64))
                    .build()
                    .write(copy.resolve(file + ".json"));
        }
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> OnnxClassifier.load(copy, Device.CPU));
        assertTrue(e.getMessage().contains("trained on features 'version=hashed-v0'"), e.getMessage());
        assertTrue(e.getMessage().contains("retrain"), e.getMessage());
    }

    @Test
    void aCardThatDoesNotMatchItsOnnxFileIsRefused() throws Exception {
        Path copy = dir.resolve("tampered");
        Files.createDirectories(copy);
        for (String file : List.of("intent.json", "intent.onnx", "difficulty-tier1.json")) {
            Files.copy(dir.resolve("bundle").resolve(file), copy.resolve(file));
        }
        Files.copy(dir.resolve("bundle").resolve("difficulty-tier2.onnx"), copy.resolve("difficulty-tier1.onnx"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> OnnxClassifier.load(copy, Device.CPU));
        assertTrue(e.getMessage().contains("differs from its card's"), e.getMessage());
    }
}
