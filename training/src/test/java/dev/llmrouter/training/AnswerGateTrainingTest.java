package dev.llmrouter.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.features.FeatureSpec;
import dev.llmrouter.features.ModelCard;
import dev.llmrouter.gate.GateScore;
import dev.llmrouter.gate.onnx.OnnxAnswerGate;
import dev.llmrouter.provider.Completion;
import dev.llmrouter.provider.Usage;
import dev.llmrouter.request.ChatRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records with answer texts teach a gate; the exported gate scores answers through DJL. */
class AnswerGateTrainingTest {
    private static final Classification MATH = new Classification(Map.of("math", 0.9, "writing", 0.1), Map.of(1, 0.5));

    @TempDir
    Path dir;

    static LabelledRecord record(int i, String source) {
        // right answers end with the sum; wrong ones hedge and give no number
        String prompt = "What is " + i + " plus " + (i + 3) + "?";
        boolean right = i % 2 == 0;
        String answer = right
                ? "Adding them gives " + (2 * i + 3) + ". The answer is " + (2 * i + 3) + "."
                : "I am not sure, maybe it depends on the context and the numbers involved.";
        LabelledRecord.Outcome cheap = new LabelledRecord.Outcome(
                right ? 1 : 0,
                OptionalDouble.empty(),
                OptionalInt.empty(),
                OptionalInt.empty(),
                OptionalInt.empty(),
                Optional.of(answer));
        return new LabelledRecord(
                "g" + i,
                source,
                "sums",
                Optional.empty(),
                prompt,
                List.of(),
                Map.of("cheap", cheap),
                Optional.empty(),
                "answers.jsonl",
                i + 1);
    }

    @Test
    void answersTeachAGateThatTheRouterRuns() throws Exception {
        ModelCard gate = trainGate("fixture", "bundle");
        assertEquals("gate", gate.kind());
        assertEquals("gate-math", gate.name(), "one gate an intent: the fixture's answers are all to sums");
        assertTrue(
                gate.metrics().get("onnx_parity_max_abs_diff") <= 1e-5,
                gate.metrics().toString());
        try (OnnxAnswerGate loaded =
                OnnxAnswerGate.load(dir.resolve("bundle"), Device.CPU).orElseThrow()) {
            ChatRequest request = ChatRequest.ofPrompt("What is 500 plus 503?");
            GateScore right = loaded.score(request, MATH, answer("Adding them gives 1003. The answer is 1003."));
            GateScore hedged = loaded.score(request, MATH, answer("I am not sure, maybe it depends on the context."));
            GateScore cut = loaded.score(
                    request,
                    MATH,
                    new Completion(
                            "Adding them gives", "length", List.of(), new Usage(10, 5, false), List.of(), "cheap"));
            assertTrue(right.score() > hedged.score() + 0.3, right + " vs " + hedged);
            assertTrue(cut.reasons().contains("truncated") && cut.score() <= 0.2, cut.toString());
            assertTrue(loaded.info().id().startsWith("onnx-gate:"));
            // it learned from answers to math requests only, so the rules judge a writing request's answer
            assertEquals(List.of("math"), gate.domain());
            assertEquals(List.of("learned:gate-math"), right.reasons());
            GateScore miscounted = loaded.score(request, MATH, answer("500 + 503 = 1013, so the answer is 1013."));
            assertEquals(List.of("learned:gate-math", "arithmetic_wrong:1/1"), miscounted.reasons());
            Classification writing = new Classification(Map.of("math", 0.3, "writing", 0.7), Map.of(1, 0.5));
            GateScore outside = loaded.score(request, writing, answer("I am not sure, maybe it depends."));
            assertEquals(List.of("outside_learned_domain", "no_check_failed"), outside.reasons());
            assertEquals(0.75, outside.score(), 1e-9);
            // nor an answer in words it never learned from (it knows "the" only), as a gate of letters a sentence
            GateScore unlike = loaded.score(request, MATH, answer("Paris remains the French capital city."));
            assertEquals(
                    List.of("outside_learned_domain", "unfamiliar_answer:gate-math:0.09", "no_check_failed"),
                    unlike.reasons());
            assertEquals(0.75, unlike.score(), 1e-9);
        }
    }

    @Test
    void answersToRequestsOfNoKnownIntentTeachOneGateForAnyRequest() throws Exception {
        // like a trace log's records: their source is in no intent map
        ModelCard gate = trainGate("trace-log", "any");
        assertEquals("gate", gate.name());
        assertEquals(List.of(), gate.domain());
        try (OnnxAnswerGate loaded =
                OnnxAnswerGate.load(dir.resolve("any"), Device.CPU).orElseThrow()) {
            Classification writing = new Classification(Map.of("math", 0.1, "writing", 0.9), Map.of(1, 0.5));
            GateScore score = loaded.score(ChatRequest.ofPrompt("What is 2 plus 5?"), writing, answer("Maybe."));
            assertEquals(List.of("learned:gate"), score.reasons());
        }
    }

    @Test
    void aBundleWithASentenceEmbeddingKeepsItsGatesOnWords() throws Exception {
        FeatureSpec spec = FeatureSpec.named("words+static");
        ModelCard gate = trainGate("fixture", "static", ClassifierTrainerTest.OPTIONS.withSpec(spec));
        assertEquals(FeatureSpec.DEFAULT.hash(), gate.featureSpecHash(), "the gate reads words only");
        assertEquals(
                spec.hash(), ModelCard.read(dir.resolve("static/intent.json")).featureSpecHash());
        try (OnnxAnswerGate loaded =
                OnnxAnswerGate.load(dir.resolve("static"), Device.CPU).orElseThrow()) {
            ChatRequest request = ChatRequest.ofPrompt("What is 500 plus 503?");
            GateScore right = loaded.score(request, MATH, answer("Adding them gives 1003. The answer is 1003."));
            GateScore hedged = loaded.score(request, MATH, answer("I am not sure, maybe it depends on the context."));
            assertTrue(right.score() > hedged.score() + 0.3, right + " vs " + hedged);
        }
    }

    private ModelCard trainGate(String source, String out) throws Exception {
        return trainGate(source, out, ClassifierTrainerTest.OPTIONS);
    }

    /** Trains a bundle into {@code out} from 400 fixture records of {@code source}; returns its last gate's card. */
    private ModelCard trainGate(String source, String out, ClassifierTrainer.Options options) throws Exception {
        List<LabelledRecord> records = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            records.add(record(i, source));
        }
        Path data = Files.writeString(dir.resolve(out + ".jsonl"), "stands in for the training file\n");
        List<ModelCard> cards = ClassifierTrainer.train(
                List.of(data),
                records,
                List.of(),
                ClassifierTrainerTest.INTENTS,
                ClassifierTrainerTest.TIERS,
                options,
                dir.resolve(out),
                line -> {});
        return cards.getLast();
    }

    private static Completion answer(String text) {
        return new Completion(text, "stop", List.of(), new Usage(10, 20, false), List.of(), "cheap");
    }
}
