package dev.llmrouter.cli;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.engine.DecisionModels;
import dev.llmrouter.evalsets.EvalPair;
import dev.llmrouter.evalsets.Evaluation;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.Pricing;
import dev.llmrouter.evalsets.Replay;
import dev.llmrouter.evalsets.RiskControl;
import dev.llmrouter.evalsets.Splits;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.policy.Route;
import java.io.PrintWriter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        description = {
            "Choose the cheapest setting of one threshold (the quality gap or floor before any call, or the gate",
            "threshold) whose quality loss against always calling the strong model stays under a target with a",
            "stated confidence, on a calibration side of the records; check it on the other side, and print the",
            "policy change."
        })
final class CalibrateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions input;

    @Mixin
    PairOptions models;

    @Option(
            names = "--max-quality-loss",
            required = true,
            paramLabel = "A",
            description = "The most mean quality the routing may lose against always-strong, e.g. 0.02.")
    double maxQualityLoss;

    @Option(
            names = "--confidence",
            defaultValue = "0.95",
            paramLabel = "C",
            description =
                    "Probability that the chosen setting's loss is at most the target (default: ${DEFAULT-VALUE}).")
    double confidence;

    @Option(
            names = "--policy",
            paramLabel = "FILE",
            description = "Policy to calibrate (default: config/eval-policy.yaml).")
    Optional<Path> policy = Optional.empty();

    @Option(
            names = "--sweep",
            defaultValue = "gap",
            paramLabel = "gap|floor|gate",
            description = "The threshold to set (default: ${DEFAULT-VALUE}).")
    String sweep;

    @Option(
            names = "--points",
            defaultValue = "40",
            paramLabel = "N",
            description = "Settings tried (default: ${DEFAULT-VALUE}).")
    int points;

    @Option(
            names = "--split",
            defaultValue = "test",
            paramLabel = "all|test",
            description = "Records to use: the held-out side of the training split, which the shipped bundle never"
                    + " saw, or all (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(
            names = "--calibration-share",
            defaultValue = "0.5",
            paramLabel = "F",
            description =
                    "Share of those records the choice is made on; the rest check it (default: ${DEFAULT-VALUE}).")
    double calibrationShare;

    @Option(
            names = "--resamples",
            defaultValue = "200",
            paramLabel = "N",
            description = "Bootstrap resamples of the calibration side, each chosen again and checked (default:"
                    + " ${DEFAULT-VALUE}).")
    int resamples;

    @Option(
            names = "--seed",
            defaultValue = "42",
            paramLabel = "N",
            description = "Seed of the splits and the resamples (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    PriceOptions prices;

    @Mixin
    ClassifierOption classifierOption;

    @Override
    public Integer call() {
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("--confidence must lie between 0 and 1, got " + confidence);
        }
        if (!(maxQualityLoss > 0 && maxQualityLoss < 1)) {
            throw new IllegalArgumentException("--max-quality-loss must lie between 0 and 1, got " + maxQualityLoss);
        }
        if (points < 2 || resamples < 0) {
            throw new IllegalArgumentException("--points must be at least 2 and --resamples at least 0");
        }
        Evaluation.Sweep kind = Evaluation.Sweep.named(sweep);
        List<LabelledRecord> records = input.records(spec.commandLine().getErr());
        records = switch (split) {
            case "all" -> records;
            case "test" -> new Splits(seed, 0.25).select(records, Splits.Side.TEST);
            default -> throw new IllegalArgumentException("--split: expected all or test, got '" + split + "'");
        };
        Catalog base = input.loadCatalog();
        Pricing pricing = prices.pricing(base, records);
        EvalPair pair = EvalPair.of(base, models.cheap, models.strong, pricing, records, input.tierMap(base));
        DecisionModels decision = classifierOption.load();
        Classifier classifier = decision.classifier();
        Catalog admitting = base.withModels(pair.catalog().models(), base.hash());
        Policy configured = PolicyLoader.load(
                policy.orElseGet(() -> ConfigFiles.defaultFile("eval-policy.yaml")), admitting, classifier.intents());
        Replay replay = new Replay(pair, classifier, decision.gate(), records);
        RiskControl.Result result = RiskControl.calibrate(
                replay, configured, kind, points, maxQualityLoss, 1 - confidence, calibrationShare, resamples, seed);
        print(spec.commandLine().getOut(), result, configured, kind);
        return 0;
    }

    private void print(PrintWriter out, RiskControl.Result r, Policy configured, Evaluation.Sweep kind) {
        out.printf(
                Locale.ROOT,
                "%d records (%s): %d to calibrate on, %d to check; %s vs %s; target: quality loss at most %.3f"
                        + " against always-%s with probability %.2f (%s bound, fixed-sequence testing)%n%n",
                r.calibrationRecords() + r.checkRecords(),
                split,
                r.calibrationRecords(),
                r.checkRecords(),
                models.cheap,
                models.strong,
                maxQualityLoss,
                models.strong,
                confidence,
                r.method());
        out.println("| " + sweep + " | strong share | cost a request | loss | upper bound | passed |");
        out.println("|---|---|---|---|---|---|");
        for (int i = 0; i < r.rows().size(); i++) {
            RiskControl.Row row = r.rows().get(i);
            out.printf(
                    Locale.ROOT,
                    "| %.4f | %.3f | %.6f | %.4f | %.4f | %s |%n",
                    row.threshold(),
                    row.strongShare(),
                    row.costPerRequest(),
                    row.loss(),
                    row.upperBound(),
                    i < r.tested() ? "yes" : i == r.tested() ? "no: testing stops" : "");
        }
        out.println();
        if (r.chosen().isEmpty()) {
            out.println("No setting is certified: even the one with the most strong calls may lose more than the"
                    + " target. Keep the policy (or always call the strong model), or give more records.");
        } else {
            RiskControl.Row chosen = r.chosen().get();
            out.printf(
                    Locale.ROOT,
                    "chosen: %s %.4f, strong share %.3f on the calibration side%n",
                    sweep,
                    chosen.threshold(),
                    chosen.strongShare());
            out.println("policy change:");
            Policy changed = Evaluation.variant(configured, kind, chosen.threshold());
            for (int i = 0; i < configured.routes().size(); i++) {
                diff(out, configured.routes().get(i), changed.routes().get(i));
            }
        }
        out.printf(
                Locale.ROOT,
                "%ncheck side: loss %.4f, strong share %.3f%n",
                r.check().loss(),
                r.check().strongShare());
        if (resamples > 0) {
            out.printf(
                    Locale.ROOT,
                    "bootstrap: over %d resamples of the calibration side, each chosen again, the check side's loss"
                            + " stayed at most %.3f in %.1f%% (mean strong share %.3f)%n",
                    resamples,
                    maxQualityLoss,
                    100 * r.bootstrapCoverage(),
                    r.bootstrapStrongShare());
        }
        out.flush();
    }

    /** Every cascade field the chosen setting changes in one route, as {@code routes.NAME.cascade.FIELD: old -> new}. */
    private static void diff(PrintWriter out, Route before, Route after) {
        for (RecordComponent c : Route.Cascade.class.getRecordComponents()) {
            try {
                Object a = c.getAccessor().invoke(before.cascade());
                Object b = c.getAccessor().invoke(after.cascade());
                if (!a.equals(b)) {
                    String field = c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
                    out.printf(
                            Locale.ROOT, "  routes.%s.cascade.%s: %s -> %s%n", before.name(), field, text(a), text(b));
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static String text(Object value) {
        return value instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : value.toString();
    }
}
