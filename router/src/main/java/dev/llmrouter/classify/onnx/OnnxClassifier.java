package dev.llmrouter.classify.onnx;

import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.features.FeatureExtractor;
import dev.llmrouter.features.FeatureSpec;
import dev.llmrouter.features.ModelCard;
import dev.llmrouter.features.SparseVector;
import dev.llmrouter.request.ChatRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The learned classifier: an intent model and a difficulty model, exported from Tribuo to ONNX and run
 * through DJL. A bundle is a folder with {@code intent.onnx} and either {@code difficulty.onnx} (one
 * item-response model: a prompt's ease, with each model's and tier's ability in its card) or one
 * {@code difficulty-tier<N>.onnx} per tier, each beside its model card. Loaded once; thread-safe.
 */
public final class OnnxClassifier implements Classifier, AutoCloseable {
    private final FeatureExtractor extractor;
    private final OnnxModel intent;
    private final Map<Integer, OnnxModel> difficulty;
    private final OwnTerms ownTerms;
    private final java.util.Optional<OnnxModel> combined;
    private final ClassifierInfo info;

    private OnnxClassifier(
            FeatureExtractor extractor,
            OnnxModel intent,
            Map<Integer, OnnxModel> difficulty,
            OwnTerms ownTerms,
            java.util.Optional<OnnxModel> combined,
            String id) {
        this.extractor = extractor;
        this.intent = intent;
        this.difficulty = difficulty;
        this.ownTerms = ownTerms;
        this.combined = combined;
        StringBuilder hashes = new StringBuilder(intent.card().onnxSha256());
        difficulty.values().forEach(m -> hashes.append(m.card().onnxSha256()));
        combined.ifPresent(m -> hashes.append(m.card().onnxSha256()));
        this.info = new ClassifierInfo(id, Sha256.hex(hashes.toString()));
    }

    /** Loads a bundle folder; every problem is an {@link IllegalArgumentException} naming the file and the fix. */
    public static OnnxClassifier load(Path dir, Device device) {
        if (!Files.isRegularFile(dir.resolve("intent.onnx"))) {
            throw new IllegalArgumentException(dir + ": no intent.onnx: a classifier bundle holds intent.onnx and"
                    + " difficulty-tier<N>.onnx with their .json cards (make one with ./llm-router train)");
        }
        dev.llmrouter.features.ModelCard intentCard = dev.llmrouter.features.ModelCard.read(dir.resolve("intent.json"));
        FeatureSpec spec = FeatureSpec.byHash(intentCard.featureSpecHash())
                .orElseThrow(() -> new IllegalArgumentException(dir.resolve("intent.json") + ": trained on features '"
                        + intentCard.featureSpec() + "' (sha256 " + intentCard.featureSpecHash() + "), which this"
                        + " router cannot extract (it knows " + FeatureSpec.KNOWN.keySet()
                        + "): retrain the bundle with"
                        + " ./llm-router train, or run the router version it was trained with"));
        FeatureExtractor extractor = SentenceEncoder.extractorFor(spec, device);
        Map<Integer, OnnxModel> difficulty = new TreeMap<>();
        OwnTerms ownTerms = OwnTerms.of(List.of());
        if (Files.isRegularFile(dir.resolve("difficulty.onnx"))) {
            OnnxModel irt = OnnxModel.load(dir, "difficulty", extractor.spec(), device);
            if (irt.card().irt() == null || irt.card().irt().tierAbilities().isEmpty()) {
                irt.close();
                throw new IllegalArgumentException(dir.resolve("difficulty.json")
                        + ": a difficulty.onnx card needs its models' and tiers' abilities (irt): retrain the"
                        + " bundle with ./llm-router train");
            }
            try {
                ownTerms = OwnTerms.of(irt.card().labels());
            } catch (IllegalArgumentException e) {
                irt.close();
                throw new IllegalArgumentException(dir.resolve("difficulty.json") + ": " + e.getMessage()
                        + ": the bundle was trained by an older router; retrain it with ./llm-router train");
            }
            difficulty.put(0, irt);
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (!difficulty.containsKey(0) && name.startsWith("difficulty-tier") && name.endsWith(".onnx")) {
                    String model = name.substring(0, name.length() - ".onnx".length());
                    OnnxModel loaded = OnnxModel.load(dir, model, extractor.spec(), device);
                    difficulty.put(loaded.card().tier(), loaded);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        if (difficulty.isEmpty()) {
            throw new IllegalArgumentException(
                    dir + ": no difficulty.onnx or difficulty-tier<N>.onnx model in the bundle");
        }
        OnnxModel intent = OnnxModel.load(dir, "intent", extractor.spec(), device);
        String id = "onnx:" + dir.toAbsolutePath().normalize().getFileName();
        // classifier.onnx, when the bundle has it, joins every model above in one graph: one ONNX call a request
        java.util.Optional<OnnxModel> combined = Files.isRegularFile(dir.resolve("classifier.onnx"))
                ? java.util.Optional.of(OnnxModel.load(dir, "classifier", extractor.spec(), device))
                : java.util.Optional.empty();
        return new OnnxClassifier(extractor, intent, difficulty, ownTerms, combined, id);
    }

    @Override
    public ClassifierInfo info() {
        return info;
    }

    @Override
    public Set<String> intents() {
        return Set.copyOf(intent.card().labels());
    }

    /** The tiers this bundle predicts success for. */
    public Set<Integer> tiers() {
        OnnxModel irt = difficulty.get(0);
        return irt != null ? irt.card().irt().tierAbilities().keySet() : difficulty.keySet();
    }

    @Override
    public Classification classify(ChatRequest request) {
        SparseVector features = extractor.extract(request);
        Map<String, float[]> outputs = combined.map(c -> c.predictAll(features)).orElse(null);
        float[] p = outputs != null ? outputs.get("intent") : intent.predict(features);
        // a follow-up is read with the user turns before it: the same models once more on their text
        List<String> earlier = request.earlierUserTurns();
        SparseVector before =
                earlier.isEmpty() ? null : extractor.extract(String.join("\n\n", earlier), earlier.size());
        Map<String, float[]> beforeOutputs =
                before == null ? null : combined.map(c -> c.predictAll(before)).orElse(null);
        // the probability that the follow-up goes on with its conversation's intent rather than asking anew
        double continued = 0;
        if (before != null) {
            float[] earlierIntent = beforeOutputs != null ? beforeOutputs.get("intent") : intent.predict(before);
            continued = continuation(p, earlierIntent);
            p = conversation(p, earlierIntent);
        }
        Map<String, Double> intents = new LinkedHashMap<>();
        List<String> labels = intent.card().labels();
        for (int i = 0; i < labels.size(); i++) {
            intents.put(labels.get(i), (double) p[i]);
        }
        Map<Integer, Double> success = new TreeMap<>();
        OnnxModel irt = difficulty.get(0);
        if (irt != null) {
            float[] q = outputs != null ? outputs.get(irt.card().name()) : irt.predict(features);
            List<String> classes = irt.card().labels();
            int ok = classes.indexOf(irt.card().positiveLabel());
            int fail = 1 - ok;
            // the log-odds from both probabilities: exact in float even where one of them is tiny
            double last = Math.log(q[ok]) - Math.log(q[fail]);
            double ease;
            if (before != null) {
                // towards the earlier turns' ease as far as the follow-up goes on with them (the mean if surely)
                float[] r = beforeOutputs != null ? beforeOutputs.get(irt.card().name()) : irt.predict(before);
                ease = last + continued / 2 * (Math.log(r[ok]) - Math.log(r[fail]) - last);
            } else {
                ease = last;
            }
            int easyClass = classes.indexOf(ModelCard.EASY);
            double easy = easyClass < 0 ? 0 : 1 / (1 + Math.exp(Math.log(q[fail]) - Math.log(q[easyClass])));
            ModelCard.Irt card = irt.card().irt();
            card.tierAbilities().forEach((tier, a) -> success.put(tier, Classification.success(easy, ease + a)));
            return new Classification(
                    intents,
                    success,
                    OptionalDouble.of(ease),
                    ownTerms.isEmpty() ? card.abilities() : ownTerms.addTo(card.abilities(), q, fail),
                    easy,
                    OptionalDouble.of(irt.coverage(features, extractor.spec())));
        }
        difficulty.forEach((tier, model) -> success.put(
                tier, positive(model, outputs != null ? outputs.get(model.card().name()) : model.predict(features))));
        OnnxModel first = difficulty.values().iterator().next();
        return new Classification(
                intents,
                success,
                OptionalDouble.empty(),
                Map.of(),
                OptionalDouble.of(first.coverage(features, extractor.spec())));
    }

    /**
     * The prior probability that a follow-up goes on with its conversation's intent rather than asking for
     * something new: even odds, for want of labelled conversations that switch.
     */
    static final double CONTINUATION_PRIOR = 0.5;

    /**
     * The intent of a follow-up from the intent model's reading of it ({@code last}) and of the user turns
     * before it ({@code earlier}), under two hypotheses: it goes on with the conversation's intent (then both
     * readings are evidence of one intent: their product), or it asks anew (its own reading alone), weighed by
     * {@link #CONTINUATION_PRIOR}: {@code p(k) ~ last(k) * (prior * earlier(k) + (1 - prior) / K)}. A follow-up
     * that says little of its intent alone ("How about the top-2 elements?") keeps the conversation's; one that
     * plainly asks for something else ("Fix this bug: TypeError ..." after a greeting) takes its own.
     */
    static float[] conversation(float[] last, float[] earlier) {
        float[] p = new float[last.length];
        double[] q = new double[last.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            q[i] = last[i] * (CONTINUATION_PRIOR * earlier[i] + (1 - CONTINUATION_PRIOR) / last.length);
            sum += q[i];
        }
        if (!(sum > 0)) {
            return last;
        }
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (q[i] / sum);
        }
        return p;
    }

    /** The posterior probability of the first hypothesis of {@link #conversation}: the follow-up goes on. */
    static double continuation(float[] last, float[] earlier) {
        double on = 0;
        double sum = 0;
        for (int i = 0; i < last.length; i++) {
            on += last[i] * earlier[i];
            sum += last[i];
        }
        double goesOn = CONTINUATION_PRIOR * on;
        double anew = (1 - CONTINUATION_PRIOR) * sum / last.length;
        return goesOn + anew > 0 ? goesOn / (goesOn + anew) : 0;
    }

    private static double positive(OnnxModel model, float[] probabilities) {
        int index = model.card().labels().indexOf(model.card().positiveLabel());
        return probabilities[index];
    }

    /** The cards of the bundle's models, for reports. */
    public List<dev.llmrouter.features.ModelCard> cards() {
        List<dev.llmrouter.features.ModelCard> cards = new ArrayList<>();
        cards.add(intent.card());
        difficulty.values().forEach(m -> cards.add(m.card()));
        return cards;
    }

    @Override
    public void close() {
        intent.close();
        difficulty.values().forEach(OnnxModel::close);
        combined.ifPresent(OnnxModel::close);
    }
}
