package dev.llmrouter.cli;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.Splits;
import dev.llmrouter.evalsets.TierMap;
import dev.llmrouter.features.ModelCard;
import dev.llmrouter.training.ClassifierTrainer;
import dev.llmrouter.training.IntentMap;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train the intent and difficulty classifiers from labelled traffic with Tribuo and export them to ONNX,",
            "each with its model card, into a bundle folder that eval, route and serve load with --classifier."
        })
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions input;

    @Option(
            names = "--intent-data",
            arity = "1..*",
            paramLabel = "FILE",
            description = "Files that teach the intent model only.")
    List<Path> intentData = List.of();

    @Option(
            names = "--easy-data",
            arity = "1..*",
            paramLabel = "FILE",
            description = {
                "Intent-labelled prompts that every model is assumed to answer well (e.g. assistant commands):",
                "they teach the intent model, and the difficulty model that such requests are easy."
            })
    List<Path> easyData = List.of();

    @Option(
            names = "--exclude",
            arity = "1..*",
            paramLabel = "FILE",
            description = {
                "Leave out of training every record whose question (normalised prompt, as the split compares them)",
                "occurs in these files: to train without a set that will be evaluated (MMLU-Pro reuses MMLU stems)."
            })
    List<Path> exclude = List.of();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The bundle folder to write.")
    Path out;

    @Option(
            names = "--seed",
            defaultValue = "42",
            paramLabel = "N",
            description = "Seed of the split and of training (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--test-fraction",
            defaultValue = "0.25",
            paramLabel = "F",
            description = "Prompts held out for metrics; never trained on (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(
            names = "--intent-map",
            paramLabel = "FILE",
            description = "Label-to-intent mapping (default: config/intent-map.yaml).")
    Optional<Path> intentMap = Optional.empty();

    @Mixin
    TrainingOptions training;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        ClassifierTrainer.Options options = training.options(seed, testFraction, ClassifierTrainer.Difficulty.IRT);
        Catalog loaded = input.loadCatalog();
        IntentMap intents = IntentMap.load(intentMap.orElseGet(() -> ConfigFiles.defaultFile("intent-map.yaml")));
        TierMap tierMap = input.tierMap(loaded);
        PrintWriter err = spec.commandLine().getErr();
        java.util.Set<String> excluded = new java.util.HashSet<>();
        input.load(exclude, err).records().forEach(r -> excluded.add(Splits.key(r)));
        java.util.function.Function<List<LabelledRecord>, List<LabelledRecord>> kept = records ->
                records.stream().filter(r -> !excluded.contains(Splits.key(r))).toList();
        List<LabelledRecord> easyRecords = kept.apply(input.load(easyData, err).records());
        List<LabelledRecord> all = kept.apply(input.records(err));
        List<LabelledRecord> intentRecords =
                kept.apply(input.load(intentData, err).records());
        List<Path> files = new java.util.ArrayList<>(input.data);
        files.addAll(intentData);
        files.addAll(easyData);
        long started = System.nanoTime();
        List<ModelCard> cards = ClassifierTrainer.train(
                files, all, intentRecords, easyRecords, intents, tierMap, options, out, line -> {
                    stdout.println(line);
                    stdout.flush();
                });
        stdout.printf(
                "trained %d models on %d records in %.1f s into %s%n",
                cards.size(),
                all.size() + intentRecords.size() + easyRecords.size(),
                (System.nanoTime() - started) / 1e9,
                out);
        return 0;
    }
}
