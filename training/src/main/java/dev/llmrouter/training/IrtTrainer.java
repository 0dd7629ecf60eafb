package dev.llmrouter.training;

import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.classify.onnx.OnnxModel;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.Metrics;
import dev.llmrouter.evalsets.TierMap;
import dev.llmrouter.features.ModelCard;
import dev.llmrouter.features.SparseVector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.ONNXExportable;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * The item-response difficulty model: one logistic regression over (prompt, model) pairs from every outcome
 * set at once, {@code P(model m answers x well) = sigmoid(ease(x) + ability(m))}, where {@code ease} is
 * linear in the prompt's features and {@code ability} is a per-model term (a one-hot column of the model's
 * name). The prompt's difficulty is thereby learned from every model that answered it (MMLU-Pro's 32,
 * RouterBench's 11, LLMRouter's 9, the RouteLLM pair), not from one pair's tiers, and a pair never seen
 * together still gets a per-prompt prediction. With {@code train --own-terms N}, a model with at least N
 * training answers adds a term of its own, {@code own_m(x)}, also linear in the prompt's features (every
 * feature crossed with the model's name: its own strengths and weaknesses, not only the average model's).
 * The export keeps the ease as the ONNX graph's {@code ok} against {@code fail} log-odds and each own term as
 * one more output class (its log-odds against {@code fail}, named after the model); the abilities go into
 * the card, with each tier's as the mean of its models'.
 */
final class IrtTrainer {
    /**
     * At most this many of a record's models teach the model (drawn by a seeded hash): MMLU-Pro's 32 answers a
     * prompt would otherwise outweigh every other set's prompts.
     */
    static final int MODELS_PER_RECORD = 6;

    /** At most this many easy prompts join the training rows (drawn by a seeded hash). */
    static final int MAX_EASY = 6_000;

    static final String ASSUMPTION_EASY = "The easy prompts (%d of %s) are labelled answered well by a model drawn"
            + " at random: short assistant commands, banking questions and small talk are assumed served well by"
            + " every model, of every tier. The outcome sets hold no such requests, and without them every"
            + " request looks like a benchmark question.";

    private IrtTrainer() {}

    /**
     * One training or held-out row: a prompt, the model that answered it, whether it answered well, and how
     * much the row counts.
     */
    private record Row(SparseVector prompt, String model, boolean ok, String set, double weight) {}

    static ModelCard train(
            List<LabelledRecord> records,
            List<SparseVector> vectors,
            boolean[] test,
            List<LabelledRecord> easy,
            List<SparseVector> easyVectors,
            boolean[] easyTest,
            TierMap tiers,
            ClassifierTrainer.Options options,
            List<ModelCard.TrainingFile> files,
            Path out,
            Consumer<String> progress) {
        List<Row> train = new ArrayList<>();
        List<Row> heldOut = new ArrayList<>();
        List<SparseVector> trainPrompts = new ArrayList<>();
        TreeSet<String> models = new TreeSet<>();
        for (int i = 0; i < records.size(); i++) {
            LabelledRecord r = records.get(i);
            List<String> names = new ArrayList<>(new TreeSet<>(r.outcomes().keySet()));
            Collections.shuffle(names, new Random(options.seed() ^ r.location().hashCode()));
            for (String m : names.subList(0, Math.min(MODELS_PER_RECORD, names.size()))) {
                LabelledRecord.Outcome outcome = r.outcomes().get(m);
                boolean ok = outcome.score() >= options.successThreshold();
                (test[i] ? heldOut : train).add(new Row(vectors.get(i), m, ok, r.file(), outcome.weight()));
                if (!test[i]) {
                    models.add(m);
                }
            }
            if (!test[i]) {
                trainPrompts.add(vectors.get(i));
            }
        }
        if (models.isEmpty()
                || train.stream().allMatch(Row::ok)
                || train.stream().noneMatch(Row::ok)) {
            throw new IllegalArgumentException("difficulty: the training records need outcomes, some answered well"
                    + " and some not (score at least " + options.successThreshold() + "), to learn from");
        }
        List<String> modelList = List.copyOf(models);
        int easyRows = 0;
        List<Integer> easyOrder = new ArrayList<>();
        for (int i = 0; i < easy.size(); i++) {
            if (!easyTest[i]) {
                easyOrder.add(i);
            }
        }
        Collections.shuffle(easyOrder, new Random(options.seed()));
        for (int i : easyOrder.subList(0, Math.min(MAX_EASY, easyOrder.size()))) {
            LabelledRecord r = easy.get(i);
            String m = modelList.get(new Random(options.seed() ^ r.location().hashCode()).nextInt(modelList.size()));
            train.add(new Row(easyVectors.get(i), m, true, r.file(), 1));
            trainPrompts.add(easyVectors.get(i));
            easyRows++;
        }
        Map<String, Integer> answers = new TreeMap<>();
        train.forEach(row -> answers.merge(row.model(), 1, Integer::sum));
        List<String> own = modelList.stream()
                .filter(m -> options.ownTermAnswers() > 0 && answers.getOrDefault(m, 0) >= options.ownTermAnswers())
                .toList();
        BitSet columns =
                TribuoExamples.columns(options.spec(), false, trainPrompts, options.minCount(), options.maxColumns());
        TribuoExamples examples = new TribuoExamples(options.spec(), false, columns);
        progress.accept("difficulty: training on " + train.size() + " answers of " + modelList.size() + " models to "
                + trainPrompts.size() + " prompts (" + easyRows + " easy), " + columns.cardinality()
                + " feature columns; " + heldOut.size() + " answers held out; own terms for " + own);
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset =
                new MutableDataset<>(new SimpleDataSourceProvenance("difficulty (item response)", factory), factory);
        for (Row row : train) {
            Example<Label> example = example(examples, row, own);
            example.setWeight((float) row.weight());
            dataset.add(example);
        }
        LinearSGDTrainer trainer = new LinearSGDTrainer(
                new LogMulticlass(),
                new AdaGrad(options.learningRate(), 0.1),
                options.epochs(),
                Integer.MAX_VALUE,
                1,
                options.seed());
        Model<Label> model = trainer.train(dataset);
        List<String> labels = new ArrayList<>();
        model.getOutputIDInfo().forEach(pair -> labels.add(pair.getB().getLabel()));
        labels.addAll(own);
        Map<String, Double> abilities = abilities(model, examples, train, modelList);
        Map<Integer, Double> tierAbilities = tierAbilities(abilities, tiers);
        if (tierAbilities.isEmpty()) {
            throw new IllegalArgumentException("difficulty: none of the trained models " + modelList
                    + " has a tier in the tier map: list them in config/tiers.yaml (or pass --tiers)");
        }
        List<String> assumptions = easyRows == 0
                ? List.of()
                : List.of(String.format(
                        ASSUMPTION_EASY,
                        easyRows,
                        new TreeSet<>(easy.stream().map(LabelledRecord::file).toList())));
        ModelCard.Irt irt = new ModelCard.Irt(abilities, tierAbilities, assumptions);
        Path dense = out.resolve("difficulty-dense.onnx");
        Path onnx = out.resolve("difficulty.onnx");
        try {
            ((ONNXExportable) model).saveONNXModel("dev.llmrouter", 1, dense);
            CombinedGraph.write(List.of(head(model, dense, examples, columns, own, labels)), onnx);
            Files.delete(dense);
            ModelCard draft = ModelCard.builder("difficulty", "difficulty")
                    .labels(labels, "ok")
                    .features(options.spec())
                    .columns(columns)
                    .onnxSha256(Sha256.hex(Files.readAllBytes(onnx)))
                    .training(files)
                    .irt(irt)
                    .build();
            draft.write(out.resolve("difficulty.json"));
            List<ModelCard.ReliabilityBin> reliability = new ArrayList<>();
            Map<String, Double> metrics = heldOutMetrics(model, examples, heldOut, own, reliability);
            metrics.put(
                    "onnx_parity_max_abs_diff",
                    parity(model, examples, heldOut.isEmpty() ? train : heldOut, own, out, options));
            ModelCard card = draft.withResults(
                            metrics,
                            Map.of(),
                            ProvenanceUtil.formattedProvenanceString(model.getProvenance()),
                            LocalDate.now().toString())
                    .withReliability(reliability);
            card.write(out.resolve("difficulty.json"));
            progress.accept("difficulty: " + metrics + "; tier abilities " + tierAbilities);
            return card;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export " + onnx, e);
        }
    }

    private static String indicator(String model) {
        return "m_" + model;
    }

    private static String ownPrefix(String model) {
        return "x:" + model + ":";
    }

    private static Example<Label> example(TribuoExamples examples, Row row, List<String> own) {
        return examples.example(
                row.prompt(),
                row.ok() ? "ok" : "fail",
                indicator(row.model()),
                own.contains(row.model()) ? ownPrefix(row.model()) : null);
    }

    /**
     * The graph's weights from Tribuo's export: per feature column, the {@code fail} and {@code ok} scores,
     * then, per model with its own term, the {@code fail} score plus that term's log-odds, so that each
     * extra class's log-odds against {@code fail} is the model's own term. The models' one-hot columns are
     * left out (the card's abilities replace them).
     */
    private static CombinedGraph.Head head(
            Model<Label> model,
            Path dense,
            TribuoExamples examples,
            BitSet columns,
            List<String> own,
            List<String> labels) {
        CombinedGraph.Weights exported = CombinedGraph.Weights.read(dense);
        int fail = labels.indexOf("fail");
        int ok = labels.indexOf("ok");
        int classes = 2 + own.size();
        Map<String, Integer> byName = examples.columnsByName();
        float[] weights = new float[columns.cardinality() * classes];
        for (int id = 0; id < exported.rows(); id++) {
            String name = model.getFeatureIDMap().get(id).getName();
            float[] row = java.util.Arrays.copyOfRange(
                    exported.weights(), id * exported.classes(), (id + 1) * exported.classes());
            Integer column = byName.get(name);
            if (column != null) {
                int at = columns.get(0, column).cardinality() * classes;
                weights[at + ok] += row[ok];
                weights[at + fail] += row[fail];
                for (int k = 0; k < own.size(); k++) {
                    weights[at + 2 + k] += row[fail];
                }
                continue;
            }
            for (int k = 0; k < own.size(); k++) {
                String prefix = ownPrefix(own.get(k));
                if (name.startsWith(prefix)) {
                    int at = columns.get(0, byName.get(name.substring(prefix.length())))
                                    .cardinality()
                            * classes;
                    weights[at + 2 + k] += row[ok] - row[fail];
                }
            }
        }
        float[] bias = new float[classes];
        bias[ok] = exported.bias()[ok];
        bias[fail] = exported.bias()[fail];
        for (int k = 0; k < own.size(); k++) {
            bias[2 + k] = exported.bias()[fail];
        }
        return new CombinedGraph.Head("difficulty", columns, weights, bias);
    }

    private static double okScore(Model<Label> model, Example<Label> example) {
        return model.predict(example).getOutputScores().get("ok").getScore();
    }

    private static double logit(double p) {
        return Math.log(p) - Math.log1p(-p);
    }

    /**
     * Each model's ability: the change in log-odds its one-hot column makes, read off the trained model on a
     * prompt of the training data (the model is linear in its columns, so any prompt gives the same).
     */
    private static Map<String, Double> abilities(
            Model<Label> model, TribuoExamples examples, List<Row> train, List<String> models) {
        SparseVector prompt = train.stream()
                .map(Row::prompt)
                .filter(p -> examples.example(p, "ok").size() > 0)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("difficulty: no training prompt has a feature"));
        double reference = logit(okScore(model, examples.example(prompt, "ok")));
        Map<String, Double> out = new TreeMap<>();
        for (String m : models) {
            out.put(m, logit(okScore(model, examples.example(prompt, "ok", indicator(m)))) - reference);
        }
        return out;
    }

    private static Map<Integer, Double> tierAbilities(Map<String, Double> abilities, TierMap tiers) {
        Map<Integer, double[]> sums = new TreeMap<>();
        abilities.forEach((m, a) -> {
            OptionalInt tier = tiers.tierOf(m);
            if (tier.isPresent()) {
                double[] s = sums.computeIfAbsent(tier.getAsInt(), k -> new double[2]);
                s[0] += a;
                s[1]++;
            }
        });
        Map<Integer, Double> out = new TreeMap<>();
        sums.forEach((tier, s) -> out.put(tier, s[0] / s[1]));
        return out;
    }

    /**
     * ROC AUC, log loss, ECE and accuracy over the held-out answers, overall and per set; the reliability
     * diagram of the success probability goes to {@code reliability}.
     */
    private static Map<String, Double> heldOutMetrics(
            Model<Label> model,
            TribuoExamples examples,
            List<Row> rows,
            List<String> own,
            List<ModelCard.ReliabilityBin> reliability) {
        Map<String, Double> metrics = new TreeMap<>();
        if (rows.isEmpty()) {
            return metrics;
        }
        Map<String, List<Integer>> bySet = new TreeMap<>();
        double[] scores = new double[rows.size()];
        boolean[] actual = new boolean[rows.size()];
        double logLoss = 0;
        int correct = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            scores[i] = okScore(model, example(examples, row, own));
            actual[i] = row.ok();
            logLoss -= Math.log(Math.max(1e-12, actual[i] ? scores[i] : 1 - scores[i]));
            correct += (scores[i] >= 0.5) == actual[i] ? 1 : 0;
            bySet.computeIfAbsent(row.set(), k -> new ArrayList<>()).add(i);
        }
        metrics.put("held_out_rows", (double) rows.size());
        metrics.put("accuracy", (double) correct / rows.size());
        metrics.put("log_loss", logLoss / rows.size());
        reliability.addAll(Calibration.reliability(scores, actual, 10));
        metrics.put("ece", Calibration.expectedCalibrationError(reliability));
        metrics.put("base_rate", Calibration.mean(actual));
        Metrics.rocAuc(scores, actual).ifPresent(auc -> metrics.put("roc_auc", auc));
        bySet.forEach((set, index) -> {
            double[] s = index.stream().mapToDouble(i -> scores[i]).toArray();
            boolean[] a = new boolean[index.size()];
            for (int k = 0; k < a.length; k++) {
                a[k] = actual[index.get(k)];
            }
            Metrics.rocAuc(s, a).ifPresent(auc -> metrics.put("roc_auc_" + set.replaceAll("\\.jsonl$", ""), auc));
        });
        return metrics;
    }

    /**
     * The largest difference, over up to 300 answers, between Tribuo's prediction (with the model's one-hot
     * column and own term) and the router's (the exported ease and own term through ONNX Runtime plus the
     * card's ability).
     */
    private static double parity(
            Model<Label> model,
            TribuoExamples examples,
            List<Row> rows,
            List<String> own,
            Path out,
            ClassifierTrainer.Options options) {
        double worst = 0;
        try (OnnxModel onnx = OnnxModel.load(out, "difficulty", options.spec(), Device.CPU)) {
            int ok = onnx.card().labels().indexOf("ok");
            int fail = onnx.card().labels().indexOf("fail");
            Map<String, Double> abilities = onnx.card().irt().abilities();
            for (Row row : rows.subList(0, Math.min(300, rows.size()))) {
                if (!abilities.containsKey(row.model())
                        || examples.example(row.prompt(), "ok").size() == 0) {
                    continue; // a model only held out, or a prompt with none of the model's columns
                }
                float[] q = onnx.predict(row.prompt());
                double ease = Math.log(q[ok]) - Math.log(q[fail]);
                int term = onnx.card().labels().indexOf(row.model());
                double mine = term < 0 ? 0 : Math.log(q[term]) - Math.log(q[fail]);
                double routed = 1 / (1 + Math.exp(-(ease + mine + abilities.get(row.model()))));
                worst = Math.max(worst, Math.abs(routed - okScore(model, example(examples, row, own))));
            }
        }
        if (worst > Parity.TOLERANCE) {
            throw new IllegalStateException(
                    "difficulty: the exported ease plus ability differs from Tribuo by " + worst);
        }
        return worst;
    }
}
