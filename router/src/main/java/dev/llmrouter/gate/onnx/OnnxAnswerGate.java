package dev.llmrouter.gate.onnx;

import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.classify.onnx.OnnxModel;
import dev.llmrouter.classify.onnx.SentenceEncoder;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.features.AnswerChecks;
import dev.llmrouter.features.FeatureExtractor;
import dev.llmrouter.features.FeatureSpec;
import dev.llmrouter.features.ModelCard;
import dev.llmrouter.gate.AnswerGate;
import dev.llmrouter.gate.GateScore;
import dev.llmrouter.gate.HeuristicAnswerGate;
import dev.llmrouter.provider.Completion;
import dev.llmrouter.request.ChatRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The learned answer gates of a bundle ({@code gate-<intent>.onnx}, or one {@code gate.onnx} for any
 * request): the probability that an answer is right, from the prompt's and the answer's features and the
 * answer checks. Each gate learned from answers to requests of one intent and judges only those: a request
 * goes to the gate of its top intent, and where there is none, the rules judge it with the reason
 * {@code outside_learned_domain}. Answers the rules find certainly bad (empty, truncated, refused, invalid
 * JSON) keep the rules' lower score. Thread-safe.
 */
public final class OnnxAnswerGate implements AnswerGate, AutoCloseable {
    private static final Set<String> HARD = Set.of("empty", "truncated", "refusal", "invalid_json", "content_filter");

    private final FeatureExtractor extractor;
    private final List<OnnxModel> models;
    private final HeuristicAnswerGate rules = new HeuristicAnswerGate();
    private final ClassifierInfo info;

    private OnnxAnswerGate(FeatureExtractor extractor, List<OnnxModel> models) {
        this.extractor = extractor;
        this.models = List.copyOf(models);
        List<String> names = models.stream().map(m -> m.card().name()).toList();
        String hash = models.size() == 1
                ? models.getFirst().card().onnxSha256()
                : Sha256.hex(String.join(
                        ",", models.stream().map(m -> m.card().onnxSha256()).toList()));
        this.info = new ClassifierInfo("onnx-gate:" + String.join("+", names), hash);
    }

    /** The gates of a bundle, when it has any. */
    public static Optional<OnnxAnswerGate> load(Path dir, Device device) {
        List<Path> cards;
        try (Stream<Path> files = Files.list(dir)) {
            cards = files.filter(f -> {
                        String name = f.getFileName().toString();
                        return name.equals("gate.json") || name.startsWith("gate-") && name.endsWith(".json");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the bundle " + dir, e);
        }
        if (cards.isEmpty()) {
            return Optional.empty();
        }
        FeatureSpec spec = null;
        List<OnnxModel> models = new ArrayList<>();
        try {
            for (Path file : cards) {
                ModelCard card = ModelCard.read(file);
                FeatureSpec own = FeatureSpec.byHash(card.featureSpecHash())
                        .orElseThrow(() -> new IllegalArgumentException(file + ": trained on features '"
                                + card.featureSpec() + "', which this router cannot extract: retrain the bundle"));
                if (spec != null && !spec.equals(own)) {
                    throw new IllegalArgumentException(file + ": trained on features '" + own.canonical()
                            + "', the bundle's other gates on '" + spec.canonical() + "': retrain the bundle");
                }
                spec = own;
                models.add(OnnxModel.load(dir, card.name(), own, device));
            }
            return Optional.of(new OnnxAnswerGate(SentenceEncoder.extractorFor(spec, device), models));
        } catch (RuntimeException e) {
            models.forEach(OnnxModel::close);
            throw e;
        }
    }

    @Override
    public ClassifierInfo info() {
        return info;
    }

    @Override
    public GateScore score(ChatRequest request, Classification classification, Completion answer) {
        GateScore checked = rules.score(request, classification, answer);
        Optional<OnnxModel> judge = judgeOf(classification.topIntent());
        if (judge.isEmpty()) {
            // no gate learned from answers to requests like this one: the rules judge it
            List<String> reasons = new ArrayList<>(List.of("outside_learned_domain"));
            reasons.addAll(checked.reasons());
            return new GateScore(checked.score(), reasons);
        }
        OnnxModel model = judge.get();
        float[] p = model.predict(extractor.extractGate(request.lastUserText(), request.userTurns(), answer.text()));
        double learned = p[model.card().labels().indexOf(model.card().positiveLabel())];
        List<String> reasons = new ArrayList<>(List.of("learned:" + model.card().name()));
        AnswerChecks.Arithmetic arithmetic = AnswerChecks.arithmetic(answer.text());
        if (arithmetic.wrong() > 0) {
            // said so in the trace: the check behind most low scores of a calculation
            reasons.add("arithmetic_wrong:" + arithmetic.wrong() + "/" + arithmetic.checked());
        }
        double score = Math.max(0, Math.min(1, learned));
        for (String reason : checked.reasons()) {
            if (HARD.contains(reason)) {
                reasons.add(reason);
                score = Math.min(score, checked.score());
            }
        }
        return new GateScore(score, reasons);
    }

    /** The gate of this intent, else one for any intent. */
    private Optional<OnnxModel> judgeOf(String intent) {
        Optional<OnnxModel> own =
                models.stream().filter(m -> m.card().domain().contains(intent)).findFirst();
        return own.isPresent()
                ? own
                : models.stream().filter(m -> m.card().domain().isEmpty()).findFirst();
    }

    @Override
    public void close() {
        models.forEach(OnnxModel::close);
    }
}
