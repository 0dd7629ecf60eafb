package dev.llmrouter.cli;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.engine.DecisionModels;
import dev.llmrouter.evalsets.EvalPair;
import dev.llmrouter.evalsets.EvalReport;
import dev.llmrouter.evalsets.Evaluation;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.OffPolicy;
import dev.llmrouter.evalsets.Pareto;
import dev.llmrouter.evalsets.PolicyDiff;
import dev.llmrouter.evalsets.Pricing;
import dev.llmrouter.evalsets.RecordLoader;
import dev.llmrouter.evalsets.Replay;
import dev.llmrouter.evalsets.ReportWriter;
import dev.llmrouter.evalsets.RouterScore;
import dev.llmrouter.evalsets.Splits;
import dev.llmrouter.gate.AnswerGate;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Replay labelled traffic through the router and measure it against the baselines.",
            "Writes report.json, curve.csv, plot.png and report.html to --out."
        })
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions input;

    @Mixin
    PairOptions models;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the report goes.")
    Path out;

    @Option(
            names = "--policy",
            paramLabel = "FILE",
            description = "Policy to replay (default: config/eval-policy.yaml).")
    Optional<Path> policy = Optional.empty();

    @Option(names = "--compare", paramLabel = "FILE", description = "A second policy: list what changes under it.")
    Optional<Path> compare = Optional.empty();

    @Option(
            names = "--split",
            defaultValue = "all",
            paramLabel = "train|test|all",
            description = "Which side of the leak-free split (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(
            names = "--test-fraction",
            defaultValue = "0.25",
            paramLabel = "F",
            description = "Share of prompts on the test side (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(
            names = "--seed",
            defaultValue = "42",
            paramLabel = "N",
            description = "Seed of the split and the random baseline (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--sweep",
            defaultValue = "gap",
            paramLabel = "gap|floor|gate",
            description = "Threshold to sweep: the quality gap or the quality floor before any call, or the gate"
                    + " threshold of a cascade that starts cheap (default: ${DEFAULT-VALUE}).")
    String sweep;

    @Option(
            names = "--points",
            defaultValue = "40",
            paramLabel = "N",
            description = "Thresholds in the sweep (default: ${DEFAULT-VALUE}).")
    int points;

    @Mixin
    PriceOptions prices;

    @Mixin
    ClassifierOption classifierOption;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        Evaluation.Sweep sweepKind = Evaluation.Sweep.named(sweep);
        if (points < 2) {
            throw new IllegalArgumentException("--points must be at least 2, got " + points);
        }
        RecordLoader.Loaded loaded = input.load(input.data, spec.commandLine().getErr());
        List<LabelledRecord> records = select(loaded.records());
        if (records.isEmpty()) {
            throw new IllegalArgumentException("no records on the '" + split + "' side of the split");
        }
        Catalog base = input.loadCatalog();
        DecisionModels decision = classifierOption.load();
        Classifier classifier = decision.classifier();
        AnswerGate gate = decision.gate();
        List<Path> logs = input.data.stream().filter(RecordLoader::traceLog).toList();
        if (!logs.isEmpty()) {
            offPolicy(stdout, OffPolicy.of(logs));
            Path livePolicy = policy.orElseGet(() -> ConfigFiles.defaultFile("policy.yaml"));
            candidate(stdout, logs, base, PolicyLoader.load(livePolicy, base, classifier.intents()), classifier, gate);
        }
        Pricing pricing = prices.pricing(base, records);
        EvalPair pair;
        try {
            pair = EvalPair.of(base, models.cheap, models.strong, pricing, records, input.tierMap(base));
        } catch (IllegalArgumentException e) {
            if (logs.size() < input.data.size()) {
                throw e;
            }
            // a trace log names the models the router called, which need not include the pair: the estimates
            // above stand on their own
            spec.commandLine().getErr().println("no replay report: " + e.getMessage());
            return 0;
        }
        Catalog admitting = base.withModels(pair.catalog().models(), base.hash());
        Path policyFile = policy.orElseGet(() -> ConfigFiles.defaultFile("eval-policy.yaml"));
        Policy configured = PolicyLoader.load(policyFile, admitting, classifier.intents());
        long started = System.nanoTime();
        Replay replay = new Replay(pair, classifier, gate, records);
        Evaluation.Result result =
                Evaluation.run(replay, configured, new Evaluation.Options(sweepKind, points, seed, 20));
        Optional<PolicyDiff.Result> diff = compare.map(file -> PolicyDiff.compare(
                replay.outcomes(),
                result.configured(),
                replay.run(PolicyLoader.load(file, admitting, classifier.intents()))));
        double seconds = (System.nanoTime() - started) / 1e9;
        EvalReport report = new EvalReport(
                new EvalReport.Meta(
                        input.data.stream().map(Path::toString).toList(),
                        replay.records().size(),
                        loaded.skipped(),
                        split,
                        seed,
                        models.cheap,
                        models.strong,
                        sweep,
                        configured.id() + " v" + configured.version() + " "
                                + configured.hash().substring(0, 12),
                        compare.map(Path::toString),
                        classifier.info().id(),
                        gate.info().id(),
                        pricing.describe(),
                        result.routes(),
                        seconds,
                        replay.classifierMicros(),
                        machine()),
                result.routers(),
                Pareto.of(replay.records(), pricing),
                diff);
        List<Path> written = ReportWriter.write(report, out);
        summary(stdout, report);
        written.forEach(p -> stdout.println("wrote " + p));
        return 0;
    }

    /**
     * The router this command evaluates (its classifier, with the policy of {@code --policy} or the shipped one,
     * over the whole catalog) against the decisions the log records, both estimated off-policy on the logged
     * requests that kept their prompt: quality by inverse propensity and doubly robust, with 95% intervals,
     * and the predicted cost of the start model.
     */
    private static void candidate(
            PrintWriter out, List<Path> logs, Catalog catalog, Policy policy, Classifier classifier, AnswerGate gate) {
        List<dev.llmrouter.evalsets.TraceLogRecords.Logged> logged = OffPolicy.withPrompts(logs);
        if (logged.isEmpty()) {
            out.println("off-policy: no logged request kept its prompt (router.trace.prompts: full), so no router"
                    + " can be compared on the log");
            return;
        }
        dev.llmrouter.engine.Router router = Undialled.router(catalog, policy, new DecisionModels(classifier, gate));
        OffPolicy.RouterEstimate live =
                OffPolicy.of(logged, l -> decision(catalog, l.trace(), classifier, Optional.empty()));
        OffPolicy.RouterEstimate candidate = OffPolicy.of(logged, l -> {
            dev.llmrouter.request.ChatRequest request = l.request().orElseThrow();
            return decision(catalog, router.explain(request), classifier, Optional.of(request));
        });
        out.println("off-policy: on the " + logged.size() + " logged requests that kept their prompt, the start model's"
                + " success (inverse propensity; doubly robust with each router's own predictions) and predicted cost");
        for (Map.Entry<String, OffPolicy.RouterEstimate> e : List.of(
                Map.entry("as logged", live),
                Map.entry(classifier.info().id() + " / " + policy.id() + " v" + policy.version(), candidate))) {
            OffPolicy.RouterEstimate r = e.getValue();
            out.printf(
                    Locale.ROOT,
                    "  %-40s IPS %.3f ± %.3f  DR %.3f ± %.3f  cost $%.6f a request  (%d decided, %d with a logged"
                            + " outcome)%n",
                    e.getKey(),
                    r.ips(),
                    r.ipsHalfWidth(),
                    r.doublyRobust(),
                    r.doublyRobustHalfWidth(),
                    r.meanCostUsd(),
                    r.decided(),
                    r.observed());
        }
    }

    /**
     * The decision {@code trace} records: its start model, that model's predicted success (from the classifier
     * on {@code request} when given, else the trace's own prediction for the model's tier) and its cost.
     */
    private static Optional<OffPolicy.Decision> decision(
            Catalog catalog,
            dev.llmrouter.trace.DecisionTrace trace,
            Classifier classifier,
            Optional<dev.llmrouter.request.ChatRequest> request) {
        Optional<dev.llmrouter.catalog.ModelSpec> model = trace.start().flatMap(catalog::model);
        if (model.isEmpty()) {
            return Optional.empty();
        }
        dev.llmrouter.catalog.ModelSpec m = model.get();
        double success = request.map(r -> classifier.classify(r).successOf(m.tier(), m.id(), m.upstreamId()))
                .orElseGet(() -> trace.classification()
                        .map(c -> c.successByTier().getOrDefault(Integer.toString(m.tier()), 0.5))
                        .orElse(0.5));
        int output = trace.request().maxTokens().orElse(400);
        return Optional.of(new OffPolicy.Decision(
                m.id(), success, m.costUsd(trace.request().promptTokensEstimate(), output)));
    }

    /** Each model's success on all of its route's logged traffic: as the log shows it, and unbiased. */
    private static void offPolicy(PrintWriter out, List<OffPolicy.Estimate> estimates) {
        out.println("off-policy: each model's success on all of its route's logged requests; naive is the mean of"
                + " the outcomes the log shows, IPS weighs each by 1/propensity (unbiased where the route explores)");
        out.printf(
                "  %-16s %-28s %9s %9s %7s  %s%n", "route", "model", "requests", "observed", "naive", "IPS [95% CI]");
        for (OffPolicy.Estimate e : estimates) {
            out.printf(
                    java.util.Locale.ROOT,
                    "  %-16s %-28s %9d %9d %7.3f  %.3f [%.3f, %.3f]%n",
                    e.route(),
                    e.model(),
                    e.requests(),
                    e.observed(),
                    e.naive(),
                    e.ips(),
                    e.low(),
                    e.high());
        }
    }

    private List<LabelledRecord> select(List<LabelledRecord> records) {
        Splits splits = new Splits(seed, testFraction);
        return switch (split) {
            case "all" -> records;
            case "train" -> splits.select(records, Splits.Side.TRAIN);
            case "test" -> splits.select(records, Splits.Side.TEST);
            default -> throw new IllegalArgumentException("--split: expected train, test or all, got '" + split + "'");
        };
    }

    private static void summary(PrintWriter out, EvalReport report) {
        EvalReport.Meta m = report.meta();
        out.printf(
                Locale.ROOT,
                "%d records, %s vs %s, sweep over the %s; %d router decisions in %.1f s; classifier %.0f us a request%n",
                m.records(),
                m.cheap(),
                m.strong(),
                m.sweep(),
                m.routes(),
                m.replaySeconds(),
                m.classifierMicros());
        out.printf(
                Locale.ROOT,
                "%-14s %7s %8s %8s %8s %7s %8s %8s %9s %12s%n",
                "router",
                "APGR",
                "CPT50",
                "CPT80",
                "CPT95",
                "AUC",
                "quality",
                "strong",
                "escalated",
                "USD/success");
        for (Map.Entry<String, RouterScore> e : report.routers().entrySet()) {
            RouterScore r = e.getValue();
            out.printf(
                    Locale.ROOT,
                    "%-14s %7s %8s %8s %8s %7s %8.4f %8.3f %9.3f %12s%n",
                    e.getKey(),
                    ReportWriter.figure(r.apgr()),
                    ReportWriter.figure(r.cpt().get("50")),
                    ReportWriter.figure(r.cpt().get("80")),
                    ReportWriter.figure(r.cpt().get("95")),
                    ReportWriter.figure(r.auc()),
                    r.quality(),
                    r.strongShare(),
                    r.escalationRate(),
                    r.costPerSuccessfulTaskUsd()
                            .map(c -> String.format(Locale.ROOT, "%.6f", c))
                            .orElse("-"));
        }
        report.routers()
                .get("router")
                .apgrInterval()
                .ifPresent(i -> out.printf(
                        Locale.ROOT,
                        "router APGR 95%% interval over %d bootstrap resamples of the records: %.3f-%.3f%n",
                        dev.llmrouter.evalsets.Evaluation.BOOTSTRAP_RESAMPLES,
                        i.get(0),
                        i.get(1)));
        report.compare()
                .ifPresent(c -> out.printf(
                        Locale.ROOT,
                        "policy diff: %d of %d decisions change; quality %+.4f, cost %+.4f USD%n",
                        c.changed(),
                        c.records(),
                        c.qualityDelta(),
                        c.costDeltaUsd()));
    }

    private static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version");
    }
}
