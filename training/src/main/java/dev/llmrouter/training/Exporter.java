package dev.llmrouter.training;

import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.classify.onnx.OnnxModel;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.evalsets.Metrics;
import dev.llmrouter.features.ModelCard;
import dev.llmrouter.features.SparseVector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.tribuo.Model;
import org.tribuo.ONNXExportable;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.optimisers.AdaGrad;

/**
 * How a bundle's models reach ONNX, for one bundle directory: a linear model trained with Tribuo, exported,
 * checked against Tribuo and carded ({@link #linear}); a model rewritten as the sparse graph the router runs
 * ({@link #sparse}); models joined into one graph, {@code classifier.onnx} ({@link #combine}). Every file it
 * writes is checked against what it was made from before its card is written.
 */
final class Exporter {
    private final ClassifierTrainer.Options options;
    private final List<ModelCard.TrainingFile> provenance;
    private final Path out;
    private final Consumer<String> progress;

    Exporter(
            ClassifierTrainer.Options options,
            List<ModelCard.TrainingFile> provenance,
            Path out,
            Consumer<String> progress) {
        this.options = options;
        this.provenance = provenance;
        this.out = out;
        this.progress = progress;
    }

    ClassifierTrainer.Options options() {
        return options;
    }

    void progress(String message) {
        progress.accept(message);
    }

    /**
     * Trains a linear model (logistic regression, AdaGrad) on {@code data}'s train side, measures it on the
     * test side, exports it to {@code <name>.onnx}, checks the export against Tribuo and writes its card.
     *
     * @param positive the label whose probability the router reads ("" for a multi-class model)
     * @param minCount a hashed column is kept when at least this many training prompts use it
     */
    ModelCard linear(
            String name,
            String kind,
            int tier,
            List<String> domain,
            String positive,
            Labelled data,
            int minCount,
            double learningRate) {
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
        List<ModelCard.ReliabilityBin> reliability = heldOut(model, data, examples, positive, metrics, thresholds);
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
                    .training(provenance)
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
                            LocalDate.now().toString())
                    .withReliability(reliability);
            card.write(out.resolve(name + ".json"));
            progress.accept(name + ": " + metrics + (thresholds.isEmpty() ? "" : " thresholds " + thresholds));
            return card;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export " + onnx, e);
        }
    }

    /**
     * Accuracy, and for a binary model ROC AUC, log loss, ECE and quality-floor thresholds, on the test side;
     * returns a binary model's reliability diagram there (empty for others).
     */
    private static List<ModelCard.ReliabilityBin> heldOut(
            Model<Label> model,
            Labelled data,
            TribuoExamples examples,
            String positive,
            Map<String, Double> metrics,
            Map<String, Double> thresholds) {
        int n = data.test().size();
        if (n == 0) {
            return List.of();
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
            List<ModelCard.ReliabilityBin> reliability = Calibration.reliability(scores, actual, 10);
            metrics.put("ece", Calibration.expectedCalibrationError(reliability));
            metrics.put("base_rate", Calibration.mean(actual));
            thresholds.putAll(Calibration.floorsForStrongShare(scores, new double[] {0.2, 0.5, 0.8}));
            return reliability;
        }
        return List.of();
    }

    /**
     * Joins the intent and difficulty models into {@code classifier.onnx}, checks that it gives each model's
     * outputs through DJL (on up to 300 prompts), and writes its card.
     */
    ModelCard combine(List<ModelCard> models, List<SparseVector> vectors) {
        List<CombinedGraph.Head> heads = models.stream()
                .map(c -> CombinedGraph.Head.exported(out.resolve(c.name() + ".onnx"), c.name(), c.columnSet()))
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
    ModelCard sparse(ModelCard card, List<SparseVector> rows) {
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
}
