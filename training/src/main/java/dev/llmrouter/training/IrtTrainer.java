package dev.llmrouter.training;

import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.classify.onnx.OnnxModel;
import dev.llmrouter.classify.onnx.OwnTerms;
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
 * together still gets a per-prompt prediction. With {@code train --own-terms N} (1,000 by default), a model
 * with at least N training answers in one set (a data file) also gets a term of its own for that set,
 * {@code own_m,s(x)}, linear in the prompt's features: its own strengths and weaknesses there, not only the
 * average model's. It is learned after the shared model, as a logistic regression of the model's answers in
 * the set on the prompt's features and the shared log-odds, so the ease and the abilities stay what they are
 * without it. Each set with own terms gets a familiarity model (a logistic regression telling its prompts from
 * the other training prompts), and the router weighs every term by the probability that the request is like
 * its set's prompts: on prompts unlike any of them, the shared ease alone decides. With easy data, an easy
 * model (a logistic regression telling the easy prompts from the outcome sets' prompts) gives the
 * probability {@code p} that a request is one every model serves well, and the prediction is
 * {@code p + (1 - p) * sigmoid(...)}; the easy prompts are not outcome rows (as answers they taught the ease
 * that everyday words mean an easy prompt, and a benchmark question in everyday words, like MMLU's
 * moral_scenarios, then looked easy). The export keeps the ease as the ONNX graph's {@code ok} against
 * {@code fail} log-odds and each own term, familiarity and the easy model as one more output class (its
 * log-odds against {@code fail}); the abilities go into the card, with each tier's as the mean of its
 * models'.
 */
final class IrtTrainer {
    /**
     * At most this many of a record's models teach the model (drawn by a seeded hash): MMLU-Pro's 32 answers a
     * prompt would otherwise outweigh every other set's prompts.
     */
    static final int MODELS_PER_RECORD = 6;

    /** At most this many easy prompts teach the easy model (drawn by a seeded hash). */
    static final int MAX_EASY = 6_000;

    static final String ASSUMPTION_EASY = "The easy prompts (%d of %s) are assumed served well by every model, of"
            + " every tier: short assistant commands, banking questions and small talk. The outcome sets hold no"
            + " such requests. A logistic regression tells them from the outcome sets' prompts, and a model's"
            + " predicted success is P(easy) + (1 - P(easy)) * sigmoid(ease + ability): the easy prompts do not"
            + " teach the ease, so a benchmark question in everyday words is not taken for an easy one.";

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
        List<Row> answered = new ArrayList<>();
        List<SparseVector> trainPrompts = new ArrayList<>();
        List<String> promptSets = new ArrayList<>();
        TreeSet<String> models = new TreeSet<>();
        for (int i = 0; i < records.size(); i++) {
            LabelledRecord r = records.get(i);
            List<String> names = new ArrayList<>(new TreeSet<>(r.outcomes().keySet()));
            Collections.shuffle(names, new Random(options.seed() ^ r.location().hashCode()));
            for (int k = 0; k < names.size(); k++) {
                LabelledRecord.Outcome outcome = r.outcomes().get(names.get(k));
                Row row = new Row(
                        vectors.get(i),
                        names.get(k),
                        outcome.score() >= options.successThreshold(),
                        set(r),
                        outcome.weight());
                if (!test[i]) {
                    answered.add(row); // every answer: a model's own term reads them all
                }
                if (k < MODELS_PER_RECORD) {
                    (test[i] ? heldOut : train).add(row);
                    if (!test[i]) {
                        models.add(row.model());
                    }
                }
            }
            if (!test[i]) {
                trainPrompts.add(vectors.get(i));
                promptSets.add(set(r));
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
        // the easy prompts, last: the features and the familiarity models see them; the easy model tells them apart
        for (int i : easyOrder.subList(0, Math.min(MAX_EASY, easyOrder.size()))) {
            trainPrompts.add(easyVectors.get(i));
            promptSets.add(set(easy.get(i)));
            easyRows++;
        }
        Map<OwnTerm, Integer> answers = new TreeMap<>();
        answered.stream()
                .filter(row -> models.contains(row.model()))
                .forEach(row -> answers.merge(new OwnTerm(row.model(), row.set()), 1, Integer::sum));
        List<OwnTerm> own = answers.entrySet().stream()
                .filter(e -> options.ownTermAnswers() > 0 && e.getValue() >= options.ownTermAnswers())
                .map(Map.Entry::getKey)
                .toList();
        BitSet columns =
                TribuoExamples.columns(options.spec(), false, trainPrompts, options.minCount(), options.maxColumns());
        TribuoExamples examples = new TribuoExamples(options.spec(), false, columns);
        progress.accept("difficulty: training on " + train.size() + " answers of " + modelList.size() + " models to "
                + (trainPrompts.size() - easyRows) + " prompts; " + easyRows + " easy prompts for the easy model; "
                + columns.cardinality()
                + " feature columns; " + heldOut.size() + " answers held out; own terms (at least "
                + options.ownTermAnswers() + " answers of a model in a set) per set: " + ownPerSet(own));
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset =
                new MutableDataset<>(new SimpleDataSourceProvenance("difficulty (item response)", factory), factory);
        for (Row row : train) {
            Example<Label> example = examples.example(row.prompt(), label(row), indicator(row.model()));
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
        Map<OwnTerm, Model<Label>> ownModels = new java.util.LinkedHashMap<>();
        for (OwnTerm t : own) {
            ownModels.put(t, ownTerm(t, model, answered, examples, trainer));
        }
        Map<String, Model<Label>> domains = new java.util.LinkedHashMap<>();
        for (String set : new TreeSet<>(own.stream().map(OwnTerm::set).toList())) {
            domain(set, trainPrompts, promptSets, examples, trainer).ifPresent(d -> domains.put(set, d));
        }
        java.util.Optional<Model<Label>> easyModel = java.util.Optional.empty();
        if (easyRows > 0) {
            List<String> kinds = new ArrayList<>();
            for (int i = 0; i < promptSets.size(); i++) {
                kinds.add(i < promptSets.size() - easyRows ? "outcome" : ModelCard.EASY);
            }
            easyModel = domain(ModelCard.EASY, trainPrompts, kinds, examples, trainer);
        }
        Terms terms = new Terms(model, examples, ownModels, domains, easyModel);
        List<String> labels = new ArrayList<>();
        model.getOutputIDInfo().forEach(pair -> labels.add(pair.getB().getLabel()));
        own.forEach(t -> labels.add(t.label()));
        domains.keySet().forEach(set -> labels.add(ModelCard.FAMILIAR_PREFIX + set));
        easyModel.ifPresent(e -> labels.add(ModelCard.EASY));
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
            CombinedGraph.write(List.of(head(model, dense, examples, columns, terms, abilities, labels)), onnx);
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
            Map<String, Double> metrics = heldOutMetrics(terms, heldOut, reliability);
            metrics.put("onnx_parity_max_abs_diff", parity(terms, heldOut.isEmpty() ? train : heldOut, out, options));
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

    /** The set a record belongs to: its file's name without {@code .jsonl} (and no ':', which labels use). */
    private static String set(LabelledRecord r) {
        return r.file().replaceAll("\\.jsonl$", "").replace(':', '_');
    }

    /**
     * A model's term of its own, learned from its answers to one training set's prompts; its class in the card
     * is {@link ModelCard#OWN_PREFIX}, the set, ':', the model.
     */
    private record OwnTerm(String model, String set) implements Comparable<OwnTerm> {
        String label() {
            return ModelCard.OWN_PREFIX + set + ":" + model;
        }

        @Override
        public int compareTo(OwnTerm o) {
            return java.util.Comparator.comparing(OwnTerm::set)
                    .thenComparing(OwnTerm::model)
                    .compare(this, o);
        }
    }

    private static Map<String, Long> ownPerSet(List<OwnTerm> own) {
        return own.stream()
                .collect(java.util.stream.Collectors.groupingBy(
                        OwnTerm::set, TreeMap::new, java.util.stream.Collectors.counting()));
    }

    private static String label(Row row) {
        return row.ok() ? "ok" : "fail";
    }

    /** The feature an own term's model reads the shared model's log-odds from. */
    private static final String SHARED = "shared_log_odds";

    /**
     * The own term of {@code t}: a logistic regression over the term's answers (every answer of its model to
     * its set's training prompts: the cap of {@link #MODELS_PER_RECORD} a prompt balances the shared model
     * across sets, and a term learns from one set) on the prompt's features plus the shared model's log-odds
     * for that answer. Learned after the
     * shared model, on what it leaves, so the shared ease and the abilities are the same with or without own
     * terms. The term is the regression's log-odds minus the shared ones, linear in the prompt's features.
     */
    private static Model<Label> ownTerm(
            OwnTerm t, Model<Label> shared, List<Row> train, TribuoExamples examples, LinearSGDTrainer trainer) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset = new MutableDataset<>(
                new SimpleDataSourceProvenance("the own term of " + t.model() + " on " + t.set(), factory), factory);
        for (Row row : train) {
            if (row.model().equals(t.model()) && row.set().equals(t.set())) {
                Example<Label> example = examples.example(
                        row.prompt(), label(row), SHARED, sharedLogOdds(shared, examples, row.prompt(), row.model()));
                example.setWeight((float) row.weight());
                dataset.add(example);
            }
        }
        return trainer.train(dataset);
    }

    private static double sharedLogOdds(Model<Label> shared, TribuoExamples examples, SparseVector prompt, String m) {
        return logit(okScore(shared, examples.example(prompt, "ok", indicator(m))));
    }

    /**
     * The graph's weights from Tribuo's export: per feature column, the {@code fail} and {@code ok} scores,
     * then one class per own term and one per set with own terms, each the {@code fail} score plus the term's
     * log-odds (or the set's familiarity model's log-odds that the prompt is like the set's), so that each
     * extra class's log-odds against {@code fail} is that term or familiarity. The models' one-hot columns
     * are left out (the card's abilities replace them).
     */
    private static CombinedGraph.Head head(
            Model<Label> model,
            Path dense,
            TribuoExamples examples,
            BitSet columns,
            Terms terms,
            Map<String, Double> abilities,
            List<String> labels) {
        CombinedGraph.Weights exported = CombinedGraph.Weights.read(dense);
        int fail = labels.indexOf("fail");
        int ok = labels.indexOf("ok");
        int width = columns.cardinality();
        Path scratch = dense.resolveSibling("term-dense.onnx");
        float[] ease = logOdds(model, scratch, examples, columns, "ok", null);
        List<float[]> extra = new ArrayList<>();
        terms.own().forEach((t, own) -> {
            // the regression's log-odds b * shared(x) + w.x + c, less shared(x) = ease(x) + ability
            float[] odds = logOdds(own, scratch, examples, columns, "ok", SHARED);
            float slope = odds[width + 1] - 1;
            for (int c = 0; c < width; c++) {
                odds[c] += slope * ease[c];
            }
            odds[width] += slope * (ease[width] + abilities.get(t.model()).floatValue());
            extra.add(odds);
        });
        terms.domains().values().forEach(d -> extra.add(logOdds(d, scratch, examples, columns, IN, null)));
        terms.easy().ifPresent(e -> extra.add(logOdds(e, scratch, examples, columns, IN, null)));
        int classes = 2 + extra.size();
        Map<String, Integer> byName = examples.columnsByName();
        float[] weights = new float[width * classes];
        float[] bias = new float[classes];
        for (int id = 0; id < exported.rows(); id++) {
            Integer column = byName.get(model.getFeatureIDMap().get(id).getName());
            if (column != null) {
                int at = columns.get(0, column).cardinality();
                weights[at * classes + ok] = exported.weights()[id * exported.classes() + ok];
                weights[at * classes + fail] = exported.weights()[id * exported.classes() + fail];
            }
        }
        bias[ok] = exported.bias()[ok];
        bias[fail] = exported.bias()[fail];
        for (int k = 2; k < classes; k++) {
            float[] odds = extra.get(k - 2);
            for (int c = 0; c < width; c++) {
                weights[c * classes + k] = weights[c * classes + fail] + odds[c];
            }
            bias[k] = bias[fail] + odds[width];
        }
        return new CombinedGraph.Head("difficulty", columns, weights, bias);
    }

    /**
     * A two-class model's log-odds of {@code positive} against the other label, per feature column in column
     * order, then its bias's, then, when {@code named} is not null, that feature's (read from Tribuo's own
     * export, written to {@code scratch} and removed).
     */
    private static float[] logOdds(
            Model<Label> model, Path scratch, TribuoExamples examples, BitSet columns, String positive, String named) {
        try {
            ((ONNXExportable) model).saveONNXModel("dev.llmrouter", 1, scratch);
            CombinedGraph.Weights exported = CombinedGraph.Weights.read(scratch);
            Files.delete(scratch);
            int yes = model.getOutputIDInfo().getID(new Label(positive));
            int no = 1 - yes;
            Map<String, Integer> byName = examples.columnsByName();
            float[] odds = new float[columns.cardinality() + 2];
            for (int id = 0; id < exported.rows(); id++) {
                String name = model.getFeatureIDMap().get(id).getName();
                Integer column = byName.get(name);
                int at = id * exported.classes();
                if (column != null) {
                    odds[columns.get(0, column).cardinality()] =
                            exported.weights()[at + yes] - exported.weights()[at + no];
                } else if (name.equals(named)) {
                    odds[columns.cardinality() + 1] = exported.weights()[at + yes] - exported.weights()[at + no];
                }
            }
            odds[columns.cardinality()] = exported.bias()[yes] - exported.bias()[no];
            return odds;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export to " + scratch, e);
        }
    }

    private static final String IN = "in";
    private static final String OUT = "out";

    /**
     * A set's familiarity model: a logistic regression telling the set's prompts ({@code in}) from the other
     * training prompts; empty when every prompt is the set's (then its terms weigh 1 everywhere). The router
     * weighs the set's own terms by this probability: a term learned on one kind of prompt says little about
     * another, and there the shared ease alone decides.
     */
    private static java.util.Optional<Model<Label>> domain(
            String set,
            List<SparseVector> prompts,
            List<String> promptSets,
            TribuoExamples examples,
            LinearSGDTrainer trainer) {
        if (promptSets.stream().allMatch(set::equals)) {
            return java.util.Optional.empty();
        }
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset = new MutableDataset<>(
                new SimpleDataSourceProvenance("the prompts of " + set + " against the rest", factory), factory);
        for (int i = 0; i < prompts.size(); i++) {
            dataset.add(examples.example(prompts.get(i), set.equals(promptSets.get(i)) ? IN : OUT));
        }
        return java.util.Optional.of(trainer.train(dataset));
    }

    /**
     * Tribuo's side of the router's prediction: a model's ease plus ability plus each of the model's own
     * terms weighed by its set's familiarity model's probability that the prompt is like that set's.
     */
    private record Terms(
            Model<Label> model,
            TribuoExamples examples,
            Map<OwnTerm, Model<Label>> own,
            Map<String, Model<Label>> domains,
            java.util.Optional<Model<Label>> easy) {
        double ok(Row row) {
            double shared = sharedLogOdds(model, examples, row.prompt(), row.model());
            double terms = 0;
            for (Map.Entry<OwnTerm, Model<Label>> t : own.entrySet()) {
                if (t.getKey().model().equals(row.model())) {
                    double mine =
                            logit(okScore(t.getValue(), examples.example(row.prompt(), "ok", SHARED, shared))) - shared;
                    terms += familiarity(t.getKey().set(), row.prompt()) * mine;
                }
            }
            return Classification.success(easy.map(e -> in(e, row.prompt())).orElse(0.0), shared + terms);
        }

        double familiarity(String set, SparseVector prompt) {
            Model<Label> domain = domains.get(set);
            return domain == null ? 1 : in(domain, prompt);
        }

        /** A familiarity or easy model's probability that {@code prompt} is one of its {@code in} prompts. */
        double in(Model<Label> domain, SparseVector prompt) {
            return domain.predict(examples.example(prompt, IN))
                    .getOutputScores()
                    .get(IN)
                    .getScore();
        }
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
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
            Terms terms, List<Row> rows, List<ModelCard.ReliabilityBin> reliability) {
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
            scores[i] = terms.ok(row);
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
    private static double parity(Terms terms, List<Row> rows, Path out, ClassifierTrainer.Options options) {
        double worst = 0;
        try (OnnxModel onnx = OnnxModel.load(out, "difficulty", options.spec(), Device.CPU)) {
            int ok = onnx.card().labels().indexOf("ok");
            int fail = onnx.card().labels().indexOf("fail");
            Map<String, Double> abilities = onnx.card().irt().abilities();
            OwnTerms own = OwnTerms.of(onnx.card().labels());
            int easyClass = onnx.card().labels().indexOf(ModelCard.EASY);
            for (Row row : rows.subList(0, Math.min(300, rows.size()))) {
                if (!abilities.containsKey(row.model())
                        || terms.examples().example(row.prompt(), "ok").size() == 0) {
                    continue; // a model only held out, or a prompt with none of the model's columns
                }
                float[] q = onnx.predict(row.prompt());
                double ease = Math.log(q[ok]) - Math.log(q[fail]);
                double easy = easyClass < 0 ? 0 : sigmoid(Math.log(q[easyClass]) - Math.log(q[fail]));
                double routed = Classification.success(
                        easy, ease + own.addTo(abilities, q, fail).get(row.model()));
                worst = Math.max(worst, Math.abs(routed - terms.ok(row)));
            }
        }
        if (worst > Parity.TOLERANCE) {
            throw new IllegalStateException(
                    "difficulty: the exported ease plus ability differs from Tribuo by " + worst);
        }
        return worst;
    }
}
