package dev.llmrouter.classify.onnx;

import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.features.FeatureExtractor;
import dev.llmrouter.features.FeatureSpec;
import dev.llmrouter.features.ModelCard;
import dev.llmrouter.gate.AnswerGate;
import dev.llmrouter.gate.GateScore;
import dev.llmrouter.gate.HeuristicAnswerGate;
import dev.llmrouter.provider.Completion;
import dev.llmrouter.request.ChatRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The learned answer gate ({@code gate.onnx} of a bundle): the probability that an answer is right, from
 * the prompt's and the answer's features. Answers the rule-based checks find certainly bad (empty,
 * truncated, refused, invalid JSON) keep the rules' lower score. A gate whose card names a domain (the
 * intents of the requests it learned from) judges only requests the classifier puts at least half in that
 * domain; the rules judge the others, with the reason {@code outside_learned_domain}. Thread-safe.
 */
public final class OnnxAnswerGate implements AnswerGate, AutoCloseable {
    private static final Set<String> HARD = Set.of("empty", "truncated", "refusal", "invalid_json", "content_filter");

    private final FeatureExtractor extractor;
    private final OnnxModel model;
    private final HeuristicAnswerGate rules = new HeuristicAnswerGate();
    private final ClassifierInfo info;

    private OnnxAnswerGate(FeatureExtractor extractor, OnnxModel model) {
        this.extractor = extractor;
        this.model = model;
        this.info = new ClassifierInfo(
                "onnx-gate:" + model.card().name(), model.card().onnxSha256());
    }

    /** The gate of a bundle, when it has one. */
    public static Optional<OnnxAnswerGate> load(Path dir, Device device) {
        if (!Files.isRegularFile(dir.resolve("gate.onnx"))) {
            return Optional.empty();
        }
        ModelCard card = ModelCard.read(dir.resolve("gate.json"));
        FeatureSpec spec = FeatureSpec.byHash(card.featureSpecHash())
                .orElseThrow(() -> new IllegalArgumentException(dir.resolve("gate.json") + ": trained on features '"
                        + card.featureSpec() + "', which this router cannot extract: retrain the bundle"));
        return Optional.of(new OnnxAnswerGate(
                SentenceEncoder.extractorFor(spec, device), OnnxModel.load(dir, "gate", spec, device)));
    }

    @Override
    public ClassifierInfo info() {
        return info;
    }

    @Override
    public GateScore score(ChatRequest request, Classification classification, Completion answer) {
        GateScore checked = rules.score(request, classification, answer);
        List<String> domain = model.card().domain();
        double inDomain = domain.stream()
                .mapToDouble(intent -> classification.intents().getOrDefault(intent, 0.0))
                .sum();
        if (!domain.isEmpty() && inDomain < 0.5) {
            // it learned from answers to other requests: the rules judge this one
            List<String> reasons = new ArrayList<>(List.of("outside_learned_domain"));
            reasons.addAll(checked.reasons());
            return new GateScore(checked.score(), reasons);
        }
        float[] p = model.predict(extractor.extractGate(request.lastUserText(), request.userTurns(), answer.text()));
        double learned = p[model.card().labels().indexOf(model.card().positiveLabel())];
        List<String> reasons = new ArrayList<>(List.of("learned"));
        double score = Math.max(0, Math.min(1, learned));
        for (String reason : checked.reasons()) {
            if (HARD.contains(reason)) {
                reasons.add(reason);
                score = Math.min(score, checked.score());
            }
        }
        return new GateScore(score, reasons);
    }

    @Override
    public void close() {
        model.close();
    }
}
