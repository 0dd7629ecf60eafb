package dev.llmrouter.cli;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.engine.DecisionModels;
import dev.llmrouter.engine.Router;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.RecordLoader;
import dev.llmrouter.evalsets.Splits;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.training.Calibration;
import dev.llmrouter.training.IntentMap;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "intents",
        mixinStandardHelpOptions = true,
        description = {
            "Decide (call no model) every prompt of labelled files under the policy, and report the intent",
            "model's accuracy against the files' labels (mapped by the intent map) with a confusion table, and",
            "the tier each request starts at: how the router treats traffic of that kind."
        })
final class IntentsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigFiles files;

    @Mixin
    ClassifierOption classifierOption;

    @Option(
            names = "--data",
            required = true,
            arity = "1..*",
            paramLabel = "FILE",
            description = "Labelled JSONL files (intent sets or outcome sets).")
    List<Path> data;

    @Option(
            names = "--split",
            defaultValue = "all",
            paramLabel = "all|test",
            description = "Every record, or only the held-out side of the training split (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(
            names = "--seed",
            defaultValue = "42",
            paramLabel = "N",
            description = "Seed of the split (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--intent-map",
            paramLabel = "FILE",
            description = "Label-to-intent mapping (default: config/intent-map.yaml).")
    Optional<Path> intentMap = Optional.empty();

    @Option(
            names = "--misses",
            defaultValue = "0",
            paramLabel = "N",
            description = "Also list up to N prompts whose predicted intent is not their label, with both and the"
                    + " predicted intent's probability (default: ${DEFAULT-VALUE}).")
    int misses;

    @Override
    public Integer call() {
        if (misses < 0) {
            throw new IllegalArgumentException("--misses: expected a count of 0 or more, got " + misses);
        }
        if (!split.equals("all") && !split.equals("test")) {
            throw new IllegalArgumentException("--split: expected all or test, got '" + split + "'");
        }
        DecisionModels models = classifierOption.load();
        Classifier classifier = models.classifier();
        Catalog catalog = files.loadCatalog();
        Policy policy = files.loadPolicy(catalog, classifier);
        IntentMap intents = IntentMap.load(intentMap.orElseGet(() -> ConfigFiles.defaultFile("intent-map.yaml")));
        Router router = Undialled.router(catalog, policy, models);
        List<LabelledRecord> records = RecordLoader.load(data, false).records();
        if (split.equals("test")) {
            records = new Splits(seed, 0.25).select(records, Splits.Side.TEST);
        }
        Map<String, Map<String, Integer>> confusion = new TreeMap<>();
        Map<String, Integer> predicted = new TreeMap<>();
        Map<String, Map<Integer, Integer>> startTiers = new TreeMap<>();
        int labelled = 0;
        int correct = 0;
        List<String> missed = new ArrayList<>();
        List<Double> confidence = new ArrayList<>();
        List<Boolean> right = new ArrayList<>();
        for (LabelledRecord r : records) {
            DecisionTrace trace = router.explain(new ChatRequest(
                    ChatRequest.userTurns(r.turns(), r.prompt()),
                    java.util.OptionalInt.empty(),
                    false,
                    Map.of(),
                    Map.of(),
                    ""));
            String top = trace.classification()
                    .map(DecisionTrace.ClassificationView::topIntent)
                    .orElse("?");
            int tier =
                    trace.start().flatMap(catalog::model).map(ModelSpec::tier).orElse(0);
            Optional<String> expected = intents.intentOf(r);
            String group = expected.orElse("(no label)");
            startTiers.computeIfAbsent(group, k -> new TreeMap<>()).merge(tier, 1, Integer::sum);
            startTiers.computeIfAbsent("all", k -> new TreeMap<>()).merge(tier, 1, Integer::sum);
            if (expected.isPresent()) {
                labelled++;
                correct += expected.get().equals(top) ? 1 : 0;
                double p = trace.classification()
                        .map(c -> c.intents().getOrDefault(top, 0.0))
                        .orElse(0.0);
                confidence.add(p);
                right.add(expected.get().equals(top));
                if (!expected.get().equals(top) && missed.size() < misses) {
                    String text = r.prompt().replaceAll("\\s+", " ").strip();
                    missed.add(String.format(
                            "%s: %s, predicted %s %.2f: %s",
                            r.location(),
                            expected.get(),
                            top,
                            p,
                            text.length() > 160 ? text.substring(0, 160) + "..." : text));
                }
                confusion.computeIfAbsent(expected.get(), k -> new TreeMap<>()).merge(top, 1, Integer::sum);
                predicted.merge(top, 1, Integer::sum);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "%d records (%s), %d with an intent label; classifier %s%n%n",
                records.size(), split, labelled, classifier.info().id());
        if (labelled > 0) {
            double accuracy = (double) correct / labelled;
            out.printf("intent accuracy %.3f%n", accuracy);
            double[] p = confidence.stream().mapToDouble(Double::doubleValue).toArray();
            boolean[] y = new boolean[right.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = right.get(i);
            }
            out.printf(
                    "top intent's mean probability %.3f (accuracy %.3f); expected calibration error %.3f over 10"
                            + " bins%n%n",
                    Arrays.stream(p).average().orElse(0),
                    accuracy,
                    Calibration.expectedCalibrationError(Calibration.reliability(p, y, 10)));
            TreeSet<String> columns = new TreeSet<>(predicted.keySet());
            StringBuilder head = new StringBuilder("| label \\ predicted |");
            StringBuilder rule = new StringBuilder("|---|");
            for (String c : columns) {
                head.append(' ').append(c).append(" |");
                rule.append("---|");
            }
            out.println(head.append(" n | recall |"));
            out.println(rule.append("---|---|"));
            confusion.forEach((label, row) -> {
                int n = row.values().stream().mapToInt(Integer::intValue).sum();
                StringBuilder line = new StringBuilder("| " + label + " |");
                columns.forEach(
                        c -> line.append(' ').append(row.getOrDefault(c, 0)).append(" |"));
                out.println(line.append(' ')
                        .append(n)
                        .append(" | ")
                        .append(String.format("%.2f", (double) row.getOrDefault(label, 0) / n))
                        .append(" |"));
            });
            out.println();
            StringBuilder shares = new StringBuilder("predicted shares:");
            int total = labelled;
            predicted.forEach((k, v) -> shares.append(String.format(" %s %.1f%%", k, 100.0 * v / total)));
            out.println(shares);
            out.println();
        }
        if (!missed.isEmpty()) {
            out.println("first " + missed.size()
                    + " misses (file:line: label, predicted intent and its probability: prompt):");
            missed.forEach(m -> out.println("  " + m));
            out.println();
        }
        TreeSet<Integer> tiers = new TreeSet<>();
        startTiers.values().forEach(m -> tiers.addAll(m.keySet()));
        StringBuilder head = new StringBuilder("| requests labelled | n |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (int t : tiers) {
            head.append(t == 0 ? " refused |" : " start tier " + t + " |");
            rule.append("---|");
        }
        out.println(head);
        out.println(rule);
        startTiers.forEach((group, byTier) -> {
            int n = byTier.values().stream().mapToInt(Integer::intValue).sum();
            StringBuilder line = new StringBuilder("| " + group + " | " + n + " |");
            tiers.forEach(t -> line.append(String.format(" %.1f%% |", 100.0 * byTier.getOrDefault(t, 0) / n)));
            out.println(line);
        });
        out.flush();
        return 0;
    }
}
