package dev.llmrouter.cli;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.evalsets.EvalPair;
import dev.llmrouter.evalsets.Evaluation;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.Pricing;
import dev.llmrouter.evalsets.TierMap;
import dev.llmrouter.training.ClassifierTrainer;
import dev.llmrouter.training.CrossValidation;
import dev.llmrouter.training.IntentMap;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
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
    public Integer call() {
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
        CrossValidation.Result result = CrossValidation.run(
                input.data,
                records,
                folds,
                pair,
                catalog,
                intents,
                tiers,
                options,
                ConfigFiles.defaultFile("eval-policy.yaml"),
                options(sweepKind),
                fold -> {
                    out.printf(
                            Locale.ROOT,
                            "fold %d: %d held-out records, router APGR %.3f (random %.3f, length %.3f), AUC %.3f%n",
                            fold.fold(),
                            fold.records(),
                            fold.router(),
                            fold.random(),
                            fold.length(),
                            fold.auc());
                    out.flush();
                });
        out.printf(
                Locale.ROOT,
                "%d-fold mean: router APGR %.3f +- %.3f, random %.3f, length %.3f, AUC %.3f%n",
                folds,
                result.mean(CrossValidation.Fold::router),
                result.sd(CrossValidation.Fold::router),
                result.mean(CrossValidation.Fold::random),
                result.mean(CrossValidation.Fold::length),
                result.mean(CrossValidation.Fold::auc));
        return 0;
    }

    private static Evaluation.Options options(Evaluation.Sweep sweep) {
        Evaluation.Options d = Evaluation.Options.DEFAULT;
        return new Evaluation.Options(sweep, d.points(), d.seed(), d.randomRuns());
    }
}
