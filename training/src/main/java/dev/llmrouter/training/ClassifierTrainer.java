package dev.llmrouter.training;

import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.classify.onnx.OnnxModel;
import dev.llmrouter.classify.onnx.SentenceEncoder;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.Metrics;
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
import java.time.LocalDate;
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
import org.tribuo.Model;
import org.tribuo.ONNXExportable;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.optimisers.AdaGrad;

/**
 * Trains the router's classifiers from labelled traffic with Tribuo and exports each to ONNX with its model
 * card: the intent model (multi-class over the taxonomy) and one difficulty model per tier (did a model of
 * that tier answer well). Training uses the train side of the leak-free split only; the test side gives the
 * held-out metrics and the calibrated thresholds. Deterministic for a seed.
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

    /** The data of one model: feature vectors with their labels, train and test sides. */
    record Labelled(
            List<SparseVector> train,
            List<String> trainLabels,
            List<SparseVector> test,
            List<String> testLabels,
            Map<String, Double> classWeights) {
        Labelled() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), Map.of());
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
     * intent model, and the item-response difficulty model that such requests are easy.
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
        List<ModelCard> cards = new ArrayList<>();
        cards.add(trainIntent(all, vectors, test, intents, options, provenance, out, progress));
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
            trainTiers(records, outcomeVectors, test, tiers, options, provenance, out, progress, cards);
        }
        cards.add(combine(List.copyOf(cards), out, vectors, options, provenance, out, progress));
        trainGates(
                answers(records, test, extractor, tiers, intents, options.successThreshold()),
                options,
                provenance,
                out,
                progress,
                cards);
        return cards;
    }

    /** The intent model, from every record the intent map labels, balanced across intents. */
    private static ModelCard trainIntent(
            List<LabelledRecord> all,
            List<SparseVector> vectors,
            boolean[] test,
            IntentMap intents,
            Options options,
            List<ModelCard.TrainingFile> provenance,
            Path out,
            Consumer<String> progress) {
        Labelled data = balanced(
                labelled(all, vectors, test, r -> intents.intentOf(r).orElse(null)), MAX_PER_INTENT, options.seed());
        return trainOne(
                "intent",
                "intent",
                0,
                List.of(),
                "",
                data,
                options.intentMinCount(),
                options.intentLearningRate(),
                options,
                provenance,
                out,
                progress);
    }

    /**
     * One answer gate per group of answers (an intent's, or "" for any request) with enough right and wrong
     * answers, each rewritten as a sparse graph and added to {@code cards}.
     */
    private static void trainGates(
            Map<String, Labelled> answers,
            Options options,
            List<ModelCard.TrainingFile> provenance,
            Path out,
            Consumer<String> progress,
            List<ModelCard> cards) {
        boolean trained = false;
        for (Map.Entry<String, Labelled> group : answers.entrySet()) {
            String intent = group.getKey();
            Labelled data = group.getValue();
            String name = intent.isEmpty() ? "gate" : "gate-" + intent;
            if (data.train().size() < MIN_GATE_ANSWERS || new TreeSet<>(data.trainLabels()).size() < 2) {
                progress.accept(name + ": " + data.train().size() + " training answers (at least " + MIN_GATE_ANSWERS
                        + ", right and wrong, are needed), no gate model");
                continue;
            }
            ModelCard gate = trainOne(
                    name,
                    "gate",
                    0,
                    intent.isEmpty() ? List.of() : List.of(intent),
                    "ok",
                    data,
                    options.minCount(),
                    options.learningRate(),
                    options,
                    provenance,
                    out,
                    progress);
            cards.add(sparse(gate, out, data.test().isEmpty() ? data.train() : data.test(), options));
            trained = true;
        }
        if (!trained) {
            progress.accept("gate: the records hold no answer texts with both outcomes, no gate model");
        }
    }

    /** One difficulty model per tier (did the tier's models answer well), each added to {@code cards}. */
    private static void trainTiers(
            List<LabelledRecord> records,
            List<SparseVector> outcomeVectors,
            boolean[] test,
            TierMap tiers,
            Options options,
            List<ModelCard.TrainingFile> provenance,
            Path out,
            Consumer<String> progress,
            List<ModelCard> cards) {
        TreeSet<Integer> tierSet = new TreeSet<>();
        records.forEach(r -> r.outcomes().keySet().forEach(m -> tiers.tierOf(m).ifPresent(tierSet::add)));
        for (int tier : tierSet) {
            Labelled data =
                    labelled(records, outcomeVectors, test, r -> success(r, tier, tiers, options.successThreshold()));
            if (data.train().isEmpty() || new TreeSet<>(data.trainLabels()).size() < 2) {
                progress.accept("tier " + tier + ": not enough labelled outcomes, no model");
                continue;
            }
            cards.add(trainOne(
                    "difficulty-tier" + tier,
                    "difficulty",
                    tier,
                    List.of(),
                    "ok",
                    data,
                    options.minCount(),
                    options.learningRate(),
                    options,
                    provenance,
                    out,
                    progress));
        }
    }

    /**
     * Joins the intent and difficulty models into {@code classifier.onnx}, checks that it gives each model's
     * outputs through DJL (on up to 300 prompts), and writes its card.
     */
    private static ModelCard combine(
            List<ModelCard> models,
            Path dir,
            List<SparseVector> vectors,
            Options options,
            List<ModelCard.TrainingFile> provenance,
            Path out,
            Consumer<String> progress) {
        List<CombinedGraph.Head> heads = models.stream()
                .map(c -> CombinedGraph.Head.exported(dir.resolve(c.name() + ".onnx"), c.name(), c.columnSet()))
                .toList();
        Path onnx = out.resolve("classifier.onnx");
        BitSet union = CombinedGraph.write(heads, onnx);
        try {
            ModelCard draft = ModelCard.builder("classifier", "classifier")
                    .labels(models.stream().map(ModelCard::name).toList(), "")
                    .features(options.spec())
                    .columns(union)
                    .onnxSha256(Sha256.hex(Files.readAllBytes(onnx)))
                    .training(provenance)
                    .build();
            draft.write(out.resolve("classifier.json"));
            double worst = 0;
            try (OnnxModel joined = OnnxModel.load(out, "classifier", options.spec(), Device.CPU)) {
                List<OnnxModel> separate = new ArrayList<>();
                try {
                    for (ModelCard c : models) {
                        separate.add(OnnxModel.load(out, c.name(), options.spec(), Device.CPU));
                    }
                    for (SparseVector row : vectors.subList(0, Math.min(300, vectors.size()))) {
                        Map<String, float[]> all = joined.predictAll(row);
                        for (OnnxModel m : separate) {
                            float[] a = all.get(m.card().name());
                            float[] b = m.predict(row);
                            for (int k = 0; k < b.length; k++) {
                                worst = Math.max(worst, Math.abs(a[k] - b[k]));
                            }
                        }
                    }
                } finally {
                    separate.forEach(OnnxModel::close);
                }
            }
            if (worst > Parity.TOLERANCE) {
                throw new IllegalStateException("classifier.onnx differs from its models by " + worst);
            }
            ModelCard card = draft.withResults(
                    Map.of("combined_parity_max_abs_diff", worst),
                    Map.of(),
                    "joined from " + models.stream().map(ModelCard::name).toList(),
                    LocalDate.now().toString());
            card.write(out.resolve("classifier.json"));
            progress.accept("classifier: " + models.size() + " models joined in one graph over " + union.cardinality()
                    + " columns, largest difference " + worst);
            return card;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + onnx, e);
        }
    }

    /**
     * Rewrites {@code <name>.onnx} (Tribuo's dense export, already checked against Tribuo) as the sparse graph
     * of the same weights, which the router runs per answer at a fraction of the cost, and checks the two
     * agree on up to 300 rows before the dense file is replaced.
     */
    private static ModelCard sparse(ModelCard card, Path out, List<SparseVector> rows, Options options) {
        Path dense = out.resolve(card.name() + ".onnx");
        Path graph = out.resolve(card.name() + "-sparse.onnx");
        Path graphCard = out.resolve(card.name() + "-sparse.json");
        CombinedGraph.write(List.of(CombinedGraph.Head.exported(dense, card.name(), card.columnSet())), graph);
        try {
            ModelCard draft = card.forFile(card.name() + "-sparse", Sha256.hex(Files.readAllBytes(graph)));
            draft.write(graphCard);
            double worst = 0;
            try (OnnxModel a = OnnxModel.load(out, card.name(), options.spec(), Device.CPU);
                    OnnxModel b = OnnxModel.load(out, draft.name(), options.spec(), Device.CPU)) {
                for (SparseVector row : rows.subList(0, Math.min(300, rows.size()))) {
                    float[] x = a.predict(row);
                    float[] y = b.predict(row);
                    for (int k = 0; k < x.length; k++) {
                        worst = Math.max(worst, Math.abs(x[k] - y[k]));
                    }
                }
            }
            if (worst > Parity.TOLERANCE) {
                throw new IllegalStateException(card.name() + ": the sparse graph differs from the export by " + worst);
            }
            Files.move(graph, dense, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.delete(graphCard);
            Map<String, Double> metrics = new TreeMap<>(card.metrics());
            metrics.put("sparse_parity_max_abs_diff", worst);
            ModelCard result = card.forFile(card.name(), draft.onnxSha256())
                    .withResults(metrics, card.thresholds(), card.provenance(), card.created());
            result.write(out.resolve(card.name() + ".json"));
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + dense, e);
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

    /** {@code data} with at most {@code max} training rows a label, drawn by {@code seed}; the test side whole. */
    /**
     * At most {@code max} training prompts an intent (drawn by the seed), with each intent's weight: the largest
     * intent's count over its own, at most {@link #MAX_CLASS_WEIGHT}.
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

    private static Labelled labelled(
            List<LabelledRecord> records,
            List<SparseVector> vectors,
            boolean[] test,
            java.util.function.Function<LabelledRecord, String> label) {
        Labelled data = new Labelled();
        Map<String, Integer> intentCounts = new TreeMap<>();
        for (int i = 0; i < records.size(); i++) {
            String l = label.apply(records.get(i));
            if (l == null) {
                continue;
            }
            (test[i] ? data.test() : data.train()).add(vectors.get(i));
            (test[i] ? data.testLabels() : data.trainLabels()).add(l);
        }
        return data;
    }

    private static ModelCard trainOne(
            String name,
            String kind,
            int tier,
            List<String> domain,
            String positive,
            Labelled data,
            int minCount,
            double learningRate,
            Options options,
            List<ModelCard.TrainingFile> files,
            Path out,
            Consumer<String> progress) {
        // the model's input columns: the features its own training prompts use (Tribuo keeps exactly those)
        boolean gate = kind.equals("gate");
        BitSet columns = TribuoExamples.columns(options.spec(), gate, data.train(), minCount, options.maxColumns());
        TribuoExamples examples = new TribuoExamples(options.spec(), gate, columns);
        progress.accept(name + ": training on " + data.train().size() + " prompts (" + columns.cardinality()
                + " feature columns), " + data.test().size() + " held out");
        LinearSGDTrainer trainer = new LinearSGDTrainer(
                new LogMulticlass(),
                new AdaGrad(learningRate, 0.1),
                options.epochs(),
                Integer.MAX_VALUE,
                1,
                options.seed());
        Model<Label> model =
                trainer.train(examples.dataset(name, data.train(), data.trainLabels(), data.classWeights()));
        List<String> labels = new ArrayList<>();
        model.getOutputIDInfo().forEach(pair -> labels.add(pair.getB().getLabel()));
        Map<String, Double> metrics = new TreeMap<>();
        Map<String, Double> thresholds = new TreeMap<>();
        heldOut(model, data, examples, positive, metrics, thresholds);
        Path onnx = out.resolve(name + ".onnx");
        try {
            ((ONNXExportable) model).saveONNXModel("dev.llmrouter", 1, onnx);
            String sha = Sha256.hex(Files.readAllBytes(onnx));
            ModelCard draft = ModelCard.builder(name, kind)
                    .labels(labels, positive)
                    .tier(tier)
                    .domain(domain)
                    .features(options.spec())
                    .columns(columns)
                    .onnxSha256(sha)
                    .training(files)
                    .build();
            draft.write(out.resolve(name + ".json"));
            metrics.put(
                    "onnx_parity_max_abs_diff",
                    Parity.check(
                            model,
                            out,
                            name,
                            options.spec(),
                            examples,
                            data.test().isEmpty() ? data.train() : data.test()));
            ModelCard card = draft.withResults(
                    metrics,
                    thresholds,
                    ProvenanceUtil.formattedProvenanceString(model.getProvenance()),
                    LocalDate.now().toString());
            card.write(out.resolve(name + ".json"));
            progress.accept(name + ": " + metrics + (thresholds.isEmpty() ? "" : " thresholds " + thresholds));
            return card;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export " + onnx, e);
        }
    }

    /** Accuracy, and for a binary model ROC AUC, log loss, ECE and quality-floor thresholds, on the test side. */
    private static void heldOut(
            Model<Label> model,
            Labelled data,
            TribuoExamples examples,
            String positive,
            Map<String, Double> metrics,
            Map<String, Double> thresholds) {
        int n = data.test().size();
        if (n == 0) {
            return;
        }
        int correct = 0;
        double[] scores = new double[n];
        boolean[] actual = new boolean[n];
        double logLoss = 0;
        for (int i = 0; i < n; i++) {
            Prediction<Label> p = model.predict(
                    examples.example(data.test().get(i), data.testLabels().get(i)));
            correct += p.getOutput().getLabel().equals(data.testLabels().get(i)) ? 1 : 0;
            if (!positive.isEmpty()) {
                Label score = p.getOutputScores().get(positive);
                scores[i] = score == null ? 0 : score.getScore();
                actual[i] = data.testLabels().get(i).equals(positive);
                logLoss -= Math.log(Math.max(1e-12, actual[i] ? scores[i] : 1 - scores[i]));
            }
        }
        metrics.put("accuracy", (double) correct / n);
        metrics.put("held_out_rows", (double) n);
        if (!positive.isEmpty()) {
            Metrics.rocAuc(scores, actual).ifPresent(auc -> metrics.put("roc_auc", auc));
            metrics.put("log_loss", logLoss / n);
            metrics.put("ece", Calibration.expectedCalibrationError(scores, actual, 10));
            metrics.put("base_rate", Calibration.mean(actual));
            thresholds.putAll(Calibration.floorsForStrongShare(scores, new double[] {0.2, 0.5, 0.8}));
        }
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
