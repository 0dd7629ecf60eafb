package dev.llmrouter.training;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.engine.DecisionModels;
import dev.llmrouter.evalsets.EvalPair;
import dev.llmrouter.evalsets.Evaluation;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.Replay;
import dev.llmrouter.evalsets.RouterScore;
import dev.llmrouter.evalsets.Splits;
import dev.llmrouter.evalsets.TierMap;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * K-fold cross-validation by prompt hash: for each fold, train a bundle on the other folds (in a scratch
 * folder, deleted after) and replay the fold through the router under a policy, as {@code eval} does.
 */
public final class CrossValidation {
    private CrossValidation() {}

    /** One fold: its held-out records and the APGR of the router and the baselines, and the router's AUC. */
    public record Fold(int fold, int records, double router, double random, double length, double auc) {}

    /** Every fold. */
    public record Result(List<Fold> folds) {
        public Result {
            folds = List.copyOf(folds);
        }

        public double mean(ToDoubleFunction<Fold> measure) {
            return folds.stream().mapToDouble(measure).average().orElse(Double.NaN);
        }

        /** The sample standard deviation over the folds. */
        public double sd(ToDoubleFunction<Fold> measure) {
            double mean = mean(measure);
            double sum = folds.stream()
                    .mapToDouble(f -> (measure.applyAsDouble(f) - mean) * (measure.applyAsDouble(f) - mean))
                    .sum();
            return Math.sqrt(sum / Math.max(1, folds.size() - 1));
        }
    }

    /**
     * Runs {@code folds} folds of {@code records} (read from {@code files}, which the cards name), each
     * replayed for {@code pair} under the policy in {@code policyFile}; {@code done} hears each fold as it ends.
     */
    public static Result run(
            List<Path> files,
            List<LabelledRecord> records,
            int folds,
            EvalPair pair,
            Catalog catalog,
            IntentMap intents,
            TierMap tiers,
            ClassifierTrainer.Options options,
            Path policyFile,
            Evaluation.Options evaluation,
            Consumer<Fold> done) {
        if (folds < 2) {
            throw new IllegalArgumentException("--folds must be at least 2, got " + folds);
        }
        Splits splits = new Splits(options.seed(), 0.5);
        Path work;
        try {
            work = Files.createTempDirectory("llm-router-crossval");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch folder for the folds' bundles", e);
        }
        Catalog admitting = catalog.withModels(pair.catalog().models(), catalog.hash());
        List<Fold> results = new ArrayList<>();
        try {
            for (int fold = 0; fold < folds; fold++) {
                int k = fold;
                List<LabelledRecord> heldOut = records.stream()
                        .filter(r -> splits.foldOf(r, folds) == k)
                        .toList();
                Path bundle = work.resolve("fold" + fold);
                ClassifierTrainer.train(
                        files,
                        records,
                        List.of(),
                        List.of(),
                        r -> splits.foldOf(r, folds) == k,
                        intents,
                        tiers,
                        options,
                        bundle,
                        line -> {});
                try (DecisionModels models = DecisionModels.load(bundle.toString(), Path.of(""), Device.CPU)) {
                    Policy policy = PolicyLoader.load(
                            policyFile, admitting, models.classifier().intents());
                    Replay replay = new Replay(pair, models.classifier(), models.gate(), heldOut);
                    Map<String, RouterScore> routers =
                            Evaluation.run(replay, policy, evaluation).routers();
                    Fold result = new Fold(
                            fold,
                            replay.records().size(),
                            routers.get("router").apgr().orElse(Double.NaN),
                            routers.get("random").apgr().orElse(Double.NaN),
                            routers.get("length").apgr().orElse(Double.NaN),
                            routers.get("router").auc().orElse(Double.NaN));
                    results.add(result);
                    done.accept(result);
                }
            }
        } finally {
            deleteTree(work);
        }
        return new Result(results);
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
