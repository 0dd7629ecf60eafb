package dev.llmrouter.cli;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.RecordLoader;
import dev.llmrouter.evalsets.TierMap;
import dev.llmrouter.features.FeatureSpec;
import dev.llmrouter.features.ModelCard;
import dev.llmrouter.training.ClassifierTrainer;
import dev.llmrouter.training.IntentMap;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

    @Option(
            names = "--data",
            required = true,
            arity = "1..*",
            paramLabel = "FILE",
            description = "Labelled JSONL files.")
    List<Path> data;

    @Option(
            names = "--intent-data",
            arity = "1..*",
            paramLabel = "FILE",
            description = "Files that teach the intent model only.")
    List<Path> intentData = List.of();

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
            names = "--epochs",
            defaultValue = "2",
            paramLabel = "N",
            description = "SGD epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--learning-rate",
            defaultValue = "0.05",
            paramLabel = "R",
            description = "AdaGrad's learning rate for the difficulty and gate models; 0.05 with two epochs"
                    + " generalises best in 5-fold cross-validation on routellm-mmlu and routellm-gsm8k (default:"
                    + " ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(
            names = "--intent-learning-rate",
            defaultValue = "0.5",
            paramLabel = "R",
            description = "The same for the intent model, which sees far more prompts (default: ${DEFAULT-VALUE}).")
    double intentLearningRate;

    @Option(
            names = "--min-count",
            defaultValue = "2",
            paramLabel = "N",
            description = "Keep a hashed feature used by at least N training prompts (default: ${DEFAULT-VALUE}).")
    int minCount;

    @Option(
            names = "--intent-min-count",
            defaultValue = "5",
            paramLabel = "N",
            description = "The same for the intent model (default: ${DEFAULT-VALUE}).")
    int intentMinCount;

    @Option(
            names = "--max-columns",
            defaultValue = "20000",
            paramLabel = "N",
            description = "At most N input columns a model, the most used (default: ${DEFAULT-VALUE}).")
    int maxColumns;

    @Option(
            names = "--success",
            defaultValue = "0.8",
            paramLabel = "S",
            description = "An outcome scoring at least S counts as answered well (default: ${DEFAULT-VALUE}).")
    double success;

    @Option(
            names = "--features",
            defaultValue = "words",
            paramLabel = "NAME",
            description = "Feature set: words, words+chars, words+minilm or words+bge (default: ${DEFAULT-VALUE}).")
    String features;

    @Option(
            names = "--intent-map",
            paramLabel = "FILE",
            description = "Label-to-intent mapping (default: config/intent-map.yaml).")
    Optional<Path> intentMap = Optional.empty();

    @Option(names = "--tiers", paramLabel = "FILE", description = "Model-to-tier mapping (default: config/tiers.yaml).")
    Optional<Path> tiers = Optional.empty();

    @Option(names = "--catalog", paramLabel = "FILE", description = "Model catalog (default: config/catalog.yaml).")
    Optional<Path> catalog = Optional.empty();

    @Option(names = "--skip-invalid", description = "Skip and count invalid lines instead of stopping at the first.")
    boolean skipInvalid;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        FeatureSpec featureSpec = FeatureSpec.named(features);
        ConfigFiles config = new ConfigFiles();
        config.catalog = catalog;
        Catalog loaded = config.loadCatalog();
        IntentMap intents = IntentMap.load(intentMap.orElseGet(() -> ConfigFiles.defaultFile("intent-map.yaml")));
        TierMap tierMap = TierMap.load(tiers.orElseGet(() -> ConfigFiles.defaultFile("tiers.yaml")), loaded);
        RecordLoader.Loaded records = RecordLoader.load(data, skipInvalid);
        RecordLoader.Loaded intentOnly = RecordLoader.load(intentData, skipInvalid);
        records.problems().forEach(p -> spec.commandLine().getErr().println("skipped " + p));
        intentOnly.problems().forEach(p -> spec.commandLine().getErr().println("skipped " + p));
        List<LabelledRecord> all = records.records();
        List<Path> files = new java.util.ArrayList<>(data);
        files.addAll(intentData);
        long started = System.nanoTime();
        List<ModelCard> cards = ClassifierTrainer.train(
                files,
                all,
                intentOnly.records(),
                intents,
                tierMap,
                new ClassifierTrainer.Options(
                        featureSpec,
                        seed,
                        testFraction,
                        epochs,
                        learningRate,
                        intentLearningRate,
                        minCount,
                        intentMinCount,
                        maxColumns,
                        success),
                out,
                line -> {
                    stdout.println(line);
                    stdout.flush();
                });
        stdout.printf(
                "trained %d models on %d records in %.1f s into %s%n",
                cards.size(), all.size() + intentOnly.records().size(), (System.nanoTime() - started) / 1e9, out);
        return 0;
    }
}
