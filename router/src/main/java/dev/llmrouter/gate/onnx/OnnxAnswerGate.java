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
import dev.llmrouter.features.SparseVector;
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
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The learned answer gates of a bundle ({@code gate-<intent>.onnx}, or one {@code gate.onnx} for any
 * request): the probability that an answer is right, from the prompt's and the answer's features and the
 * answer checks. Each gate learned from answers to requests of one intent and judges only those, and only
 * answers like the ones it learned from: a request goes to the gate of its top intent, and where there is
 * none, or the gate learned a weight for less than {@link #MIN_ANSWER_COVERAGE} of the answer's words (a gate
 * that learned from one-letter choices has none for a sentence), the rules judge it with the reason {@code
 * outside_learned_domain}. Answers the rules find certainly bad (empty, truncated, refused, invalid JSON) keep
 * the rules' lower score. Thread-safe.
 */
public final class OnnxAnswerGate implements AnswerGate, AutoCloseable {
    private static final Set<String> HARD = Set.of("empty", "truncated", "refusal", "invalid_json", "content_filter");

    /**
     * The least share of an answer's hashed words (by their squared weight, as {@link OnnxModel#coverage}) that
     * its gate must have learned a weight for to judge it. Measured on the shipped gates: every one of Mixtral's
     * 1,319 GSM8K answers gets 0.27 or more from the math gate (99% get 0.50), all but one of 4,270 MBPP answers
     * 0.2 or more from the code gate (99% 0.72), RouterBench's one-letter choices 1.0 from the reasoning gate,
     * where a sentence gets 0 to 0.1.
     */
    static final double MIN_ANSWER_COVERAGE = 0.2;

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
            return outside(checked, List.of());
        }
        OnnxModel model = judge.get();
        SparseVector features = extractor.extractGate(request.lastUserText(), request.userTurns(), answer.text());
        double coverage = model.coverage(features, extractor.spec(), FeatureExtractor.GATE_ANSWER_OFFSET);
        if (coverage < MIN_ANSWER_COVERAGE) {
            // nor from answers like this one
            return outside(
                    checked,
                    List.of(String.format(
                            Locale.ROOT,
                            "unfamiliar_answer:%s:%.2f",
                            model.card().name(),
                            coverage)));
        }
        float[] p = model.predict(features);
        double learned = p[model.card().labels().indexOf(model.card().positiveLabel())];
        List<String> reasons =
                new ArrayList<>(List.of(GateScore.learnedBy(model.card().name())));
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

    /** The rules' verdict on an answer no learned gate can judge, with why in {@code detail}. */
    private static GateScore outside(GateScore checked, List<String> detail) {
        List<String> reasons = new ArrayList<>(List.of("outside_learned_domain"));
        reasons.addAll(detail);
        reasons.addAll(checked.reasons());
        return new GateScore(checked.score(), reasons);
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
