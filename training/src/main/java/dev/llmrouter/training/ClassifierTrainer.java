package dev.llmrouter.training;

import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.classify.onnx.SentenceEncoder;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.Splits;
import dev.llmrouter.evalsets.TierMap;
import dev.llmrouter.features.FeatureExtractor;
import dev.llmrouter.features.FeatureSpec;
import dev.llmrouter.features.ModelCard;
import dev.llmrouter.features.SparseVector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Trains a classifier bundle from labelled traffic: reads the records' features once, splits them into
 * {@link Labelled} data for each model, and has an {@link Exporter} train, export, check and card each model
 * into the bundle directory. The models, in the order {@link #train} declares them: the intent model
 * (multi-class over the taxonomy); difficulty ({@link IrtTrainer}'s item-response model, or one model a tier);
 * {@code classifier.onnx}, the join of those the router runs per request; and the answer gates. Training
 * uses the train side of the leak-free split only; the test side gives the held-out metrics and the
 * calibrated thresholds. Deterministic for a seed.
 */
public final class ClassifierTrainer {
    /** Held strongly: java.util.logging keeps only weak references, and a collected logger loses its level. */
    private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

    static {
        TRIBUO_LOG.setLevel(Level.WARNING);
    }

    /**
     * @param successThreshold an outcome scoring at least this counts as answered well
     * @param minCount a hashed column of a difficulty model is kept when at least this many of its training
     *     prompts use it
     * @param intentMinCount the same for the intent model, which sees far more prompts
     * @param maxColumns the most input columns a model may have
     * @param learningRate AdaGrad's base learning rate for the difficulty and gate models
     * @param intentLearningRate the same for the intent model
     * @param difficulty which difficulty model to train
     */
    public record Options(
            FeatureSpec spec,
            long seed,
            double testFraction,
            int epochs,
            double learningRate,
            double intentLearningRate,
            int minCount,
            int intentMinCount,
            int maxColumns,
            double successThreshold,
            Difficulty difficulty,
            int ownTermAnswers) {
        public static final Options DEFAULT =
                new Options(FeatureSpec.DEFAULT, 42, 0.25, 2, 0.05, 0.5, 2, 5, 20_000, 0.8, Difficulty.IRT, 0);

        /** These options on other features. */
        public Options withSpec(FeatureSpec other) {
            return new Options(
                    other,
                    seed,
                    testFraction,
                    epochs,
                    learningRate,
                    intentLearningRate,
                    minCount,
                    intentMinCount,
                    maxColumns,
                    successThreshold,
                    difficulty,
                    ownTermAnswers);
        }
    }

    /** How difficulty is learned. */
    public enum Difficulty {
        /** One item-response model over every outcome set's models: a prompt's ease and each model's ability. */
        IRT,
        /** One model per tier: did the tier's models (in the tier map) answer well. */
        TIERS;

        /** The kind of this name, as {@code --difficulty} takes it. */
        public static Difficulty named(String name) {
            for (Difficulty d : values()) {
                if (d.name().equalsIgnoreCase(name)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("--difficulty: expected irt or tiers, got '" + name + "'");
        }
    }

    /**
     * The intent model trains on at most this many prompts an intent (drawn by the seed): one large labelled
     * set (77 banking intents, all support) would otherwise teach that most requests are support requests.
     */
    static final int MAX_PER_INTENT = 4_000;

    /**
     * An intent with fewer training prompts than the largest weighs each of them more (the largest's count over
     * its own), at most this much: without it the intent model learns the labelled sets' mix as its prior and
     * calls a request of a rare intent (writing: a few hundred prompts) by a common one (chat, knowledge).
     */
    static final double MAX_CLASS_WEIGHT = 2;

    /** A gate is trained for an intent with at least this many training answers. */
    static final int MIN_GATE_ANSWERS = 50;

    private ClassifierTrainer() {}

    /**
     * Trains and exports every model into {@code out}; returns their cards. {@code records} teach every model;
     * {@code intentOnly} records teach the intent model alone (intent sets, or outcome sets whose models are
     * not the ones to route between).
     */
    public static List<ModelCard> train(
            List<Path> files,
            List<LabelledRecord> records,
            List<LabelledRecord> intentOnly,
            IntentMap intents,
            TierMap tiers,
            Options options,
            Path out,
            Consumer<String> progress) {
        return train(files, records, intentOnly, List.of(), intents, tiers, options, out, progress);
    }

    /**
     * As above; {@code easy} records (intent-labelled prompts every model is assumed to answer well) teach the
     * intent model, and the item-response difficulty model's easy model (see {@link IrtTrainer}).
     */
    public static List<ModelCard> train(
            List<Path> files,
            List<LabelledRecord> records,
            List<LabelledRecord> intentOnly,
            List<LabelledRecord> easy,
            IntentMap intents,
            TierMap tiers,
            Options options,
            Path out,
            Consumer<String> progress) {
        Splits splits = new Splits(options.seed(), options.testFraction());
        return train(
                files,
                records,
                intentOnly,
                easy,
                r -> splits.sideOf(r) == Splits.Side.TEST,
                intents,
                tiers,
                options,
                out,
                progress);
    }

    /** As above, with the held-out records chosen by {@code heldOut} (a cross-validation fold). */
    public static List<ModelCard> train(
            List<Path> files,
            List<LabelledRecord> records,
            List<LabelledRecord> intentOnly,
            List<LabelledRecord> easy,
            java.util.function.Predicate<LabelledRecord> heldOut,
            IntentMap intents,
            TierMap tiers,
            Options options,
            Path out,
            Consumer<String> progress) {
        FeatureExtractor extractor = SentenceEncoder.extractorFor(options.spec(), Device.CPU);
        List<LabelledRecord> all = new ArrayList<>(records);
        all.addAll(intentOnly);
        all.addAll(easy);
        progress.accept("extracting features of " + all.size() + " records");
        List<SparseVector> vectors = all.parallelStream()
                .map(r -> extractor.extract(r.prompt(), r.turns().size() + 1))
                .toList();
        boolean[] test = new boolean[all.size()];
        for (int i = 0; i < all.size(); i++) {
            test[i] = heldOut.test(all.get(i));
        }
        List<ModelCard.TrainingFile> provenance = trainingFiles(files, all);
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out, e);
        }
        Exporter export = new Exporter(options, provenance, out, progress);
        // the bundle's models, in the order they are trained: the intent model; difficulty (one item-response
        // model, or one a tier); classifier.onnx, their join; the answer gates
        List<ModelCard> cards = new ArrayList<>();
        cards.add(trainIntent(export, all, vectors, test, intents));
        List<SparseVector> outcomeVectors = vectors.subList(0, records.size());
        if (options.difficulty() == Difficulty.IRT) {
            int from = records.size() + intentOnly.size();
            cards.add(IrtTrainer.train(
                    records,
                    outcomeVectors,
                    test,
                    easy,
                    vectors.subList(from, all.size()),
                    java.util.Arrays.copyOfRange(test, from, all.size()),
                    tiers,
                    options,
                    provenance,
                    out,
                    progress));
        } else {
            trainTiers(export, records, outcomeVectors, test, tiers, cards);
        }
        cards.add(export.combine(List.copyOf(cards), vectors));
        // the answer gates read the words of the prompt and the answer without a sentence embedding: with one
        // the gated GSM8K cascade scored lower (MiniLM 0.745, the static table 0.755, words 0.775: results.md),
        // and each gate check would encode two more texts
        Options gateOptions = options.withSpec(options.spec().withoutEncoder());
        trainGates(
                new Exporter(gateOptions, provenance, out, progress),
                answers(
                        records,
                        test,
                        SentenceEncoder.extractorFor(gateOptions.spec(), Device.CPU),
                        tiers,
                        intents,
                        options.successThreshold()),
                cards);
        return cards;
    }

    /** The intent model, from every record the intent map labels, balanced across intents. */
    private static ModelCard trainIntent(
            Exporter export, List<LabelledRecord> all, List<SparseVector> vectors, boolean[] test, IntentMap intents) {
        Options options = export.options();
        Labelled data = balanced(
                Labelled.of(all, vectors, test, r -> intents.intentOf(r).orElse(null)), MAX_PER_INTENT, options.seed());
        return export.linear(
                "intent", "intent", 0, List.of(), "", data, options.intentMinCount(), options.intentLearningRate());
    }

    /**
     * One answer gate per group of answers (an intent's, or "" for any request) with enough right and wrong
     * answers, each rewritten as a sparse graph and added to {@code cards}.
     */
    private static void trainGates(Exporter export, Map<String, Labelled> answers, List<ModelCard> cards) {
        Options options = export.options();
        boolean trained = false;
        for (Map.Entry<String, Labelled> group : answers.entrySet()) {
            String intent = group.getKey();
            Labelled data = group.getValue();
            String name = intent.isEmpty() ? "gate" : "gate-" + intent;
            if (data.train().size() < MIN_GATE_ANSWERS || new TreeSet<>(data.trainLabels()).size() < 2) {
                export.progress(name + ": " + data.train().size() + " training answers (at least " + MIN_GATE_ANSWERS
                        + ", right and wrong, are needed), no gate model");
                continue;
            }
            ModelCard gate = export.linear(
                    name,
                    "gate",
                    0,
                    intent.isEmpty() ? List.of() : List.of(intent),
                    "ok",
                    data,
                    options.minCount(),
                    options.learningRate());
            cards.add(export.sparse(gate, data.test().isEmpty() ? data.train() : data.test()));
            trained = true;
        }
        if (!trained) {
            export.progress("gate: the records hold no answer texts with both outcomes, no gate model");
        }
    }

    /** One difficulty model per tier (did the tier's models answer well), each added to {@code cards}. */
    private static void trainTiers(
            Exporter export,
            List<LabelledRecord> records,
            List<SparseVector> outcomeVectors,
            boolean[] test,
            TierMap tiers,
            List<ModelCard> cards) {
        Options options = export.options();
        TreeSet<Integer> tierSet = new TreeSet<>();
        records.forEach(r -> r.outcomes().keySet().forEach(m -> tiers.tierOf(m).ifPresent(tierSet::add)));
        for (int tier : tierSet) {
            Labelled data = Labelled.of(
                    records, outcomeVectors, test, r -> success(r, tier, tiers, options.successThreshold()));
            if (data.train().isEmpty() || new TreeSet<>(data.trainLabels()).size() < 2) {
                export.progress("tier " + tier + ": not enough labelled outcomes, no model");
                continue;
            }
            cards.add(export.linear(
                    "difficulty-tier" + tier,
                    "difficulty",
                    tier,
                    List.of(),
                    "ok",
                    data,
                    options.minCount(),
                    options.learningRate()));
        }
    }

    /**
     * The recorded answers with their prompts, labelled "ok" when they scored at least the threshold, grouped
     * by the intent of their request: one gate is trained a group. When 5% or more of the training answers'
     * requests have no known intent, all answers form one group, keyed "", whose gate judges any answer.
     */
    private static Map<String, Labelled> answers(
            List<LabelledRecord> records,
            boolean[] test,
            FeatureExtractor extractor,
            TierMap tiers,
            IntentMap intents,
            double threshold) {
        // the gate judges answers the cascade may escalate from: where answers of several tiers are recorded,
        // the top tier's are left out (nothing escalates from them, and they would teach "sounds like the
        // strong model" instead of "this answer is right")
        TreeSet<Integer> answered = new TreeSet<>();
        records.forEach(r -> r.outcomes().forEach((model, o) -> {
            if (o.response().isPresent()) {
                tiers.tierOf(model).ifPresent(answered::add);
            }
        }));
        OptionalInt top = answered.size() > 1 ? OptionalInt.of(answered.last()) : OptionalInt.empty();
        Map<String, Labelled> groups = new TreeMap<>();
        for (int i = 0; i < records.size(); i++) {
            LabelledRecord r = records.get(i);
            String intent = intents.intentOf(r).orElse("");
            for (Map.Entry<String, LabelledRecord.Outcome> e : new TreeMap<>(r.outcomes()).entrySet()) {
                if (e.getValue().response().isEmpty()
                        || top.isPresent() && tiers.tierOf(e.getKey()).equals(top)) {
                    continue;
                }
                SparseVector v = extractor.extractGate(
                        r.prompt(),
                        r.turns().size() + 1,
                        e.getValue().response().get());
                Labelled data = groups.computeIfAbsent(intent, k -> new Labelled());
                (test[i] ? data.test() : data.train()).add(v);
                (test[i] ? data.testLabels() : data.trainLabels())
                        .add(e.getValue().score() >= threshold ? "ok" : "fail");
            }
        }
        int trainAnswers =
                groups.values().stream().mapToInt(g -> g.train().size()).sum();
        Labelled unknown = groups.get("");
        if (unknown == null || unknown.train().size() < 0.05 * trainAnswers) {
            groups.remove("");
            return groups;
        }
        Labelled all = new Labelled();
        for (Labelled g : groups.values()) {
            all.train().addAll(g.train());
            all.trainLabels().addAll(g.trainLabels());
            all.test().addAll(g.test());
            all.testLabels().addAll(g.testLabels());
        }
        return Map.of("", all);
    }

    /** "ok" when the mean score of the record's models of {@code tier} reaches the threshold, "fail" below. */
    private static String success(LabelledRecord record, int tier, TierMap tiers, double threshold) {
        double sum = 0;
        int n = 0;
        for (Map.Entry<String, LabelledRecord.Outcome> e : record.outcomes().entrySet()) {
            OptionalInt t = tiers.tierOf(e.getKey());
            if (t.isPresent() && t.getAsInt() == tier) {
                sum += e.getValue().score();
                n++;
            }
        }
        return n == 0 ? null : sum / n >= threshold ? "ok" : "fail";
    }

    /**
     * At most {@code max} training prompts an intent (drawn by the seed), with each intent's weight: the largest
     * intent's count over its own, at most {@link #MAX_CLASS_WEIGHT}; the test side whole.
     */
    static Labelled balanced(Labelled data, int max, long seed) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < data.train().size(); i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, new java.util.Random(seed));
        Map<String, Integer> taken = new TreeMap<>();
        BitSet keep = new BitSet();
        for (int i : order) {
            if (taken.merge(data.trainLabels().get(i), 1, Integer::sum) <= max) {
                keep.set(i);
            }
        }
        // each intent as likely as the next a priori: a smaller one's prompts weigh more, up to MAX_CLASS_WEIGHT
        int largest =
                taken.values().stream().mapToInt(n -> Math.min(n, max)).max().orElse(1);
        Map<String, Double> weights = new TreeMap<>();
        taken.forEach(
                (label, n) -> weights.put(label, Math.min(MAX_CLASS_WEIGHT, (double) largest / Math.min(n, max))));
        Labelled out = new Labelled(new ArrayList<>(), new ArrayList<>(), data.test(), data.testLabels(), weights);
        for (int i = keep.nextSetBit(0); i >= 0; i = keep.nextSetBit(i + 1)) {
            out.train().add(data.train().get(i));
            out.trainLabels().add(data.trainLabels().get(i));
        }
        return out;
    }

    private static List<ModelCard.TrainingFile> trainingFiles(List<Path> files, List<LabelledRecord> records) {
        Map<String, Integer> rows = new LinkedHashMap<>();
        records.forEach(r -> rows.merge(r.file(), 1, Integer::sum));
        List<ModelCard.TrainingFile> out = new ArrayList<>();
        for (Path file : files) {
            try {
                out.add(new ModelCard.TrainingFile(
                        file.getFileName().toString(),
                        Sha256.hex(Files.readAllBytes(file)),
                        rows.getOrDefault(file.getFileName().toString(), 0)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return out;
    }
}
