package dev.llmrouter.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.classify.onnx.OnnxClassifier;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.TierMap;
import dev.llmrouter.features.FeatureSpec;
import dev.llmrouter.features.ModelCard;
import dev.llmrouter.request.ChatRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The item-response difficulty model on a synthetic world whose truth is known: four models of rising
 * ability, on two sets that share no model, answer easy and hard prompts; a third file holds assistant
 * commands with no outcomes at all (the easy data).
 */
class IrtTrainingTest {
    /** The true abilities; a prompt's true ease is +2 (easy) or -2 (hard). */
    static final Map<String, Double> TRUTH = Map.of("weak-a", -1.5, "mid-a", 0.5, "weak-b", -1.0, "strong-b", 2.0);

    static final TierMap TIERS =
            new TierMap(Map.of("weak-a", 1, "weak-b", 1, "mid-a", 2, "strong-b", 3), ClassifierTrainerTest.CATALOG);
    static final IntentMap INTENTS = new IntentMap(
            List.of("math", "writing", "assistant"),
            Map.of(
                    "set-a", Map.of("sums", "math", "poems", "writing"),
                    "set-b", Map.of("sums", "math", "poems", "writing"),
                    "commands", Map.of("alarm", "assistant")));
    static final ClassifierTrainer.Options OPTIONS = new ClassifierTrainer.Options(
            FeatureSpec.DEFAULT, 7, 0.25, 5, 0.5, 0.5, 1, 1, 20_000, 0.8, ClassifierTrainer.Difficulty.IRT, 0);

    @TempDir
    static Path dir;

    static List<ModelCard> cards;

    static LabelledRecord record(int i, String set, List<String> models, Random random) {
        return record(i, set, models, random, Map.of());
    }

    /** {@code poems}: a model's own change in log-odds on the poem prompts, beyond ease and ability. */
    static LabelledRecord record(int i, String set, List<String> models, Random random, Map<String, Double> poems) {
        return record(i, set, models, random, poems, "");
    }

    /** The same, with {@code suffix} after every prompt (what tells one set's prompts from another's). */
    static LabelledRecord record(
            int i, String set, List<String> models, Random random, Map<String, Double> poems, String suffix) {
        boolean hard = i % 2 == 0;
        boolean math = i % 4 < 2;
        String prompt = math
                ? (hard
                        ? "Prove rigorously that the series " + i + " converges, by induction on n"
                        : "What is " + i + " plus " + (i + 1) + "?")
                : (hard
                                ? "Write a sonnet in strict iambic pentameter about entropy, number " + i
                                : "Write a short poem about the sea, number " + i)
                        + suffix;
        Map<String, LabelledRecord.Outcome> outcomes = new LinkedHashMap<>();
        for (String m : models) {
            double own = math ? 0 : poems.getOrDefault(m, 0.0);
            double p = 1 / (1 + Math.exp(-((hard ? -2 : 2) + TRUTH.get(m) + own)));
            outcomes.put(m, ClassifierTrainerTest.outcome(random.nextDouble() < p ? 1 : 0));
        }
        return new LabelledRecord(
                set + "-" + i,
                set,
                math ? "sums" : "poems",
                Optional.empty(),
                prompt,
                List.of(),
                outcomes,
                Optional.empty(),
                set + ".jsonl",
                i + 1);
    }

    static LabelledRecord command(int i) {
        String[] verbs = {"set an alarm for", "wake me up at", "remind me at", "play some music at"};
        return new LabelledRecord(
                "cmd-" + i,
                "commands",
                "alarm",
                Optional.empty(),
                verbs[i % verbs.length] + " " + (i % 12 + 1) + " o'clock please",
                List.of(),
                Map.of(),
                Optional.empty(),
                "commands.jsonl",
                i + 1);
    }

    @BeforeAll
    static void train() throws Exception {
        Random random = new Random(3);
        List<LabelledRecord> records = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            records.add(record(i, "set-a", List.of("weak-a", "mid-a"), random));
            records.add(record(i + 1000, "set-b", List.of("weak-b", "strong-b"), random));
        }
        List<LabelledRecord> easy = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            easy.add(command(i));
        }
        List<Path> files = new ArrayList<>();
        for (String f : List.of("set-a.jsonl", "set-b.jsonl", "commands.jsonl")) {
            files.add(Files.writeString(dir.resolve(f), "stands in for " + f + "\n"));
        }
        cards = ClassifierTrainer.train(
                files, records, List.of(), easy, INTENTS, TIERS, OPTIONS, dir.resolve("bundle"), line -> {});
    }

    @Test
    void oneDifficultyModelCarriesEveryModelsAbilityInItsCard() throws Exception {
        assertEquals(
                List.of("intent", "difficulty", "classifier"),
                cards.stream().map(ModelCard::name).toList());
        ModelCard card = cards.get(1);
        assertEquals(card, ModelCard.read(dir.resolve("bundle/difficulty.json")));
        assertEquals(Sha256.hex(Files.readAllBytes(dir.resolve("bundle/difficulty.onnx"))), card.onnxSha256());
        assertTrue(
                card.metrics().get("onnx_parity_max_abs_diff") <= 1e-5,
                card.metrics().toString());
        assertTrue(card.metrics().get("roc_auc") > 0.8, card.metrics().toString());
        assertTrue(card.metrics().containsKey("roc_auc_set-a"), card.metrics().toString());
        Map<String, Double> a = card.irt().abilities();
        assertEquals(TRUTH.keySet(), a.keySet());
        // the order of the true abilities, though no two sets share a model
        assertTrue(a.get("weak-a") < a.get("mid-a"), a.toString());
        assertTrue(a.get("weak-b") < a.get("strong-b"), a.toString());
        assertTrue(a.get("mid-a") < a.get("strong-b"), a.toString());
        Map<Integer, Double> tiers = card.irt().tierAbilities();
        assertEquals((a.get("weak-a") + a.get("weak-b")) / 2, tiers.get(1), 1e-9);
        assertEquals(a.get("strong-b"), tiers.get(3), 1e-9);
        assertEquals(ModelCard.EASY, card.labels().getLast());
        assertEquals(1, card.irt().assumptions().size());
        assertTrue(
                card.irt().assumptions().getFirst().contains("commands.jsonl"),
                card.irt().toString());
        assertTrue(cards.getLast().metrics().get("combined_parity_max_abs_diff") <= 1e-5);
    }

    @Test
    void aFollowUpsEaseMovesTowardsItsConversations() {
        try (OnnxClassifier classifier = OnnxClassifier.load(dir.resolve("bundle"), Device.CPU)) {
            String hardQuestion = "Prove rigorously that the series 7 converges, by induction on n";
            String easyQuestion = "What is 40 plus 41?";
            String followUp = "And the next one?";
            double afterHard = classifier
                    .classify(ClassifierTrainerTest.conversation(hardQuestion, followUp))
                    .ease()
                    .getAsDouble();
            double afterEasy = classifier
                    .classify(ClassifierTrainerTest.conversation(easyQuestion, followUp))
                    .ease()
                    .getAsDouble();
            double hard = classifier
                    .classify(ChatRequest.ofPrompt(hardQuestion))
                    .ease()
                    .getAsDouble();
            double easy = classifier
                    .classify(ChatRequest.ofPrompt(easyQuestion))
                    .ease()
                    .getAsDouble();
            // the follow-up reads the same in both conversations and moves towards each question's ease, at most
            // halfway (as far as it is taken to go on with the question)
            assertTrue(afterEasy > afterHard + 0.2, afterEasy + " vs " + afterHard);
            assertTrue(afterEasy - afterHard <= (easy - hard) / 2 + 1e-9, afterEasy + " vs " + afterHard);
        }
    }

    @Test
    void eachModelGetsAPerPromptPredictionAndAnUnknownOneItsTiers() {
        try (OnnxClassifier classifier = OnnxClassifier.load(dir.resolve("bundle"), Device.CPU)) {
            Classification hard = classifier.classify(
                    ChatRequest.ofPrompt("Prove rigorously that the series 7 converges, by induction on n"));
            Classification easy = classifier.classify(ChatRequest.ofPrompt("What is 40 plus 41?"));
            assertTrue(hard.ease().isPresent());
            assertTrue(easy.ease().getAsDouble() > hard.ease().getAsDouble() + 1, easy + " vs " + hard);
            // a pair never seen together: weak-a (set a) against strong-b (set b)
            // their true logit gap is 3.5 whatever the prompt
            double gap = hard.abilities().get("strong-b") - hard.abilities().get("weak-a");
            assertEquals(3.5, gap, 1.0, hard.toString());
            assertTrue(hard.successOf(1, "strong-b") > hard.successOf(1, "weak-a") + 0.2, hard.toString());
            // a catalog model the data does not name takes its tier's ability
            assertEquals(hard.successAt(3), hard.successOf(3, "some-new-model"), 1e-12);
            assertEquals(hard.successOf(3, "strong-b"), hard.successOf(3, "unknown", "strong-b"), 1e-12);
            assertEquals(java.util.Set.of(1, 2, 3), classifier.tiers());
            // the easy data: commands no outcome set holds start out easy for the weakest tier
            Classification command = classifier.classify(ChatRequest.ofPrompt("wake me up at 7 o'clock please"));
            assertTrue(command.successAt(1) > 0.8, command.toString());
            assertEquals("assistant", command.topIntent());
            // through the easy model, not the ease: the command is easy, a benchmark prompt is not
            assertTrue(command.easy() > 0.8 && hard.easy() < 0.2 && easy.easy() < 0.2, command + " " + hard);
            assertEquals(
                    Classification.success(
                            command.easy(),
                            command.ease().getAsDouble() + command.abilities().get("weak-a")),
                    command.successOf(1, "weak-a"),
                    1e-12);
            // a request like the training prompts is familiar; one in words it never saw is not
            double known = easy.familiarity().getAsDouble();
            double foreign = classifier
                    .classify(ChatRequest.ofPrompt("Quelle heure est-il à Tokyo, s'il vous plaît ?"))
                    .familiarity()
                    .getAsDouble();
            assertTrue(known > foreign + 0.4 && foreign >= 0 && known <= 1, known + " vs " + foreign);
        }
    }

    @Test
    void aModelWithEnoughAnswersLearnsItsOwnStrengthsWhereItsDataIs() throws Exception {
        // mid-a is much worse at set-a's poems than its ability says; the shared ease cannot know that. Set-b's
        // prompts are set-a's with a few words more, and mid-a never answered them
        Random random = new Random(5);
        List<LabelledRecord> records = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            records.add(record(i, "set-a", List.of("weak-a", "mid-a"), random, Map.of("mid-a", -4.0)));
            records.add(record(
                    i + 2000, "set-b", List.of("weak-b", "strong-b"), random, Map.of(), " for my grandmother, kindly"));
        }
        Path data = Files.writeString(dir.resolve("own.jsonl"), "stands in for own.jsonl\n");
        ClassifierTrainer.Options own = new ClassifierTrainer.Options(
                FeatureSpec.DEFAULT, 7, 0.25, 5, 0.5, 0.5, 1, 1, 20_000, 0.8, ClassifierTrainer.Difficulty.IRT, 800);
        List<ModelCard> trained = ClassifierTrainer.train(
                List.of(data), records, List.of(), INTENTS, TIERS, own, dir.resolve("own"), line -> {});
        ModelCard card = trained.get(1);
        // every model answered 900 training prompts of one set here: each gets its own term of that set, and
        // each set a familiarity
        assertEquals(
                List.of(
                        "own:set-a:mid-a",
                        "own:set-a:weak-a",
                        "own:set-b:strong-b",
                        "own:set-b:weak-b",
                        "familiar:set-a",
                        "familiar:set-b"),
                card.labels().subList(2, 8));
        assertTrue(
                card.metrics().get("onnx_parity_max_abs_diff") <= 1e-5,
                card.metrics().toString());
        assertTrue(trained.getLast().metrics().get("combined_parity_max_abs_diff") <= 1e-5);
        try (OnnxClassifier classifier = OnnxClassifier.load(dir.resolve("own"), Device.CPU)) {
            Classification poem =
                    classifier.classify(ChatRequest.ofPrompt("Write a short poem about the sea, number 5"));
            Classification sum = classifier.classify(ChatRequest.ofPrompt("What is 40 plus 41?"));
            // against weak-a, mid-a falls behind on the poem and stays ahead on the sum
            double poemGap = poem.abilities().get("mid-a") - poem.abilities().get("weak-a");
            double sumGap = sum.abilities().get("mid-a") - sum.abilities().get("weak-a");
            assertTrue(poemGap < -1 && sumGap > 1, poemGap + " on the poem, " + sumGap + " on the sum");
            assertTrue(poem.successOf(2, "mid-a") < poem.successOf(1, "weak-a"), poem.toString());
            // on a poem like set-b's, which mid-a never answered, its set-a term weighs little: the shared ease
            // and its ability decide there
            Classification unlike = classifier.classify(
                    ChatRequest.ofPrompt("Write a short poem about the sea, number 5 for my grandmother, kindly"));
            double ability = card.irt().abilities().get("mid-a");
            double there = poem.abilities().get("mid-a") - ability;
            double elsewhere = unlike.abilities().get("mid-a") - ability;
            assertTrue(
                    there < -1 && Math.abs(elsewhere) < Math.abs(there) / 4,
                    "mid-a's own term: " + there + " on set-a's poem, " + elsewhere + " on set-b's");
        }
        // without own terms the same data gives the card's abilities only
        List<ModelCard> shared = ClassifierTrainer.train(
                List.of(data), records, List.of(), INTENTS, TIERS, OPTIONS, dir.resolve("shared"), line -> {});
        assertEquals(2, shared.get(1).labels().size());
        // the own terms learn after the shared model, from what it leaves: the ease and abilities are the same
        assertEquals(shared.get(1).irt(), card.irt());
    }

    @Test
    void trainingIsDeterministicForASeed() throws Exception {
        Random random = new Random(3);
        List<LabelledRecord> records = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            records.add(record(i, "set-a", List.of("weak-a", "mid-a"), random));
        }
        Path data = dir.resolve("set-a.jsonl");
        List<ModelCard> one = ClassifierTrainer.train(
                List.of(data), records, List.of(), INTENTS, TIERS, OPTIONS, dir.resolve("one"), line -> {});
        List<ModelCard> two = ClassifierTrainer.train(
                List.of(data), records, List.of(), INTENTS, TIERS, OPTIONS, dir.resolve("two"), line -> {});
        assertEquals(one.get(1).onnxSha256(), two.get(1).onnxSha256());
        assertEquals(one.get(1).irt(), two.get(1).irt());
        assertFalse(one.get(1).irt().abilities().containsKey("weak-b"));
    }

    /**
     * Logged outcomes count by their weight: the same log of a weak model answering well, given ten times the
     * weight, lifts that model's ability further.
     */
    @Test
    void anOutcomeCountsAsMuchAsItsWeight() throws Exception {
        Map<Double, Double> ability = new java.util.TreeMap<>();
        for (double weight : new double[] {1, 10}) {
            Random random = new Random(5);
            List<LabelledRecord> records = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                records.add(record(i, "set-a", List.of("weak-a", "mid-a"), random));
                records.add(record(i + 1000, "set-b", List.of("weak-b", "strong-b"), random));
            }
            for (int i = 0; i < 100; i++) {
                LabelledRecord logged = record(i + 2000, "set-a", List.of("weak-a"), random);
                records.add(new LabelledRecord(
                                logged.id(),
                                "router-trace",
                                "default",
                                Optional.empty(),
                                logged.prompt(),
                                List.of(),
                                Map.of("weak-a", ClassifierTrainerTest.outcome(1)),
                                Optional.empty(),
                                "traces.jsonl",
                                i + 1)
                        .weighted(weight));
            }
            List<Path> files = List.of(Files.writeString(dir.resolve("w.jsonl"), "stands in\n"));
            List<ModelCard> trained = ClassifierTrainer.train(
                    files, records, List.of(), List.of(), INTENTS, TIERS, OPTIONS, dir.resolve("w" + weight), l -> {});
            Map<String, Double> a = trained.get(1).irt().abilities();
            ability.put(weight, a.get("weak-a") - a.get("mid-a"));
        }
        assertTrue(ability.get(10.0) > ability.get(1.0) + 0.3, ability.toString());
    }
}
