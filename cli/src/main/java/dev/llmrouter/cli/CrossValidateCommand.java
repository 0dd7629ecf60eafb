package dev.llmrouter.cli;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.engine.DecisionModels;
import dev.llmrouter.evalsets.EvalPair;
import dev.llmrouter.evalsets.Evaluation;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.Pricing;
import dev.llmrouter.evalsets.Replay;
import dev.llmrouter.evalsets.RouterScore;
import dev.llmrouter.evalsets.Splits;
import dev.llmrouter.evalsets.TierMap;
import dev.llmrouter.gate.AnswerGate;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.training.ClassifierTrainer;
import dev.llmrouter.training.IntentMap;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "crossval",
        mixinStandardHelpOptions = true,
        description = {
            "K-fold cross-validation by prompt hash: for each fold, train the classifiers on the other folds and",
            "replay the fold through the router (eval's sweep, before any call by default); prints APGR per fold and the mean."
        })
final class CrossValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions input;

    @Mixin
    PairOptions models;

    @Option(names = "--folds", defaultValue = "5", paramLabel = "K", description = "Folds (default: ${DEFAULT-VALUE}).")
    int folds;

    @Option(
            names = "--seed",
            defaultValue = "42",
            paramLabel = "N",
            description = "Seed of the folds and of training (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--sweep",
            defaultValue = "gap",
            paramLabel = "gap|floor|gate",
            description = "Threshold to sweep, as eval's --sweep (default: ${DEFAULT-VALUE}).")
    String sweep;

    @Mixin
    PriceOptions prices;

    @Mixin
    TrainingOptions training;

    @Override
    public Integer call() throws IOException {
        if (folds < 2) {
            throw new IllegalArgumentException("--folds must be at least 2, got " + folds);
        }
        // one pair on its own set: a model per tier learns that pair's own signal, which one shared ease cannot
        ClassifierTrainer.Options options = training.options(seed, 0.5, ClassifierTrainer.Difficulty.TIERS);
        Evaluation.Sweep sweepKind = Evaluation.Sweep.named(sweep);
        PrintWriter out = spec.commandLine().getOut();
        Catalog catalog = input.loadCatalog();
        List<LabelledRecord> records = input.records(spec.commandLine().getErr());
        TierMap tiers = input.tierMap(catalog);
        IntentMap intents = IntentMap.load(ConfigFiles.defaultFile("intent-map.yaml"));
        Pricing pricing = prices.pricing(catalog, records);
        EvalPair pair = EvalPair.of(catalog, models.cheap, models.strong, pricing, records, tiers);
        Splits splits = new Splits(seed, 0.5);
        Path work = Files.createTempDirectory("llm-router-crossval");
        List<double[]> results = new ArrayList<>();
        for (int fold = 0; fold < folds; fold++) {
            int k = fold;
            List<LabelledRecord> heldOut =
                    records.stream().filter(r -> splits.foldOf(r, folds) == k).toList();
            Path bundle = work.resolve("fold" + fold);
            ClassifierTrainer.train(
                    input.data,
                    records,
                    List.of(),
                    List.of(),
                    r -> splits.foldOf(r, folds) == k,
                    intents,
                    tiers,
                    options,
                    bundle,
                    line -> {});
            try (DecisionModels decision = DecisionModels.load(bundle.toString(), Path.of(""), Device.CPU)) {
                Classifier classifier = decision.classifier();
                AnswerGate gate = decision.gate();
                Catalog admitting = catalog.withModels(pair.catalog().models(), catalog.hash());
                Policy policy =
                        PolicyLoader.load(ConfigFiles.defaultFile("eval-policy.yaml"), admitting, classifier.intents());
                Replay replay = new Replay(pair, classifier, gate, heldOut);
                Map<String, RouterScore> routers =
                        Evaluation.run(replay, policy, options(sweepKind)).routers();
                double[] r = {
                    routers.get("router").apgr().orElse(Double.NaN),
                    routers.get("random").apgr().orElse(Double.NaN),
                    routers.get("length").apgr().orElse(Double.NaN),
                    routers.get("router").auc().orElse(Double.NaN)
                };
                results.add(r);
                out.printf(
                        Locale.ROOT,
                        "fold %d: %d held-out records, router APGR %.3f (random %.3f, length %.3f), AUC %.3f%n",
                        fold,
                        replay.records().size(),
                        r[0],
                        r[1],
                        r[2],
                        r[3]);
                out.flush();
            }
        }
        double[] mean = new double[4];
        double[] sd = new double[4];
        for (double[] r : results) {
            for (int i = 0; i < 4; i++) {
                mean[i] += r[i] / results.size();
            }
        }
        for (double[] r : results) {
            for (int i = 0; i < 4; i++) {
                sd[i] += (r[i] - mean[i]) * (r[i] - mean[i]) / Math.max(1, results.size() - 1);
            }
        }
        out.printf(
                Locale.ROOT,
                "%d-fold mean: router APGR %.3f +- %.3f, random %.3f, length %.3f, AUC %.3f%n",
                folds,
                mean[0],
                Math.sqrt(sd[0]),
                mean[1],
                mean[2],
                mean[3]);
        deleteTree(work);
        return 0;
    }

    private static Evaluation.Options options(Evaluation.Sweep sweep) {
        Evaluation.Options d = Evaluation.Options.DEFAULT;
        return new Evaluation.Options(sweep, d.points(), d.seed(), d.randomRuns());
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
