package dev.llmrouter.cli;

import dev.llmrouter.features.FeatureSpec;
import dev.llmrouter.training.ClassifierTrainer;
import picocli.CommandLine.Option;

/** How the classifiers are trained: the options {@code train} and {@code crossval} share. */
final class TrainingOptions {
    @Option(
            names = "--features",
            defaultValue = "words+static",
            paramLabel = "NAME",
            description =
                    "Feature set: words, words+static, words+chars, words+minilm or words+bge (default: ${DEFAULT-VALUE}).")
    String features;

    @Option(
            names = "--difficulty",
            paramLabel = "KIND",
            description = {
                "irt: one item-response model over every outcome set's models (a prompt's ease, each model's ability);",
                "tiers: one model per tier of the tier map (default: irt for train, tiers for crossval)."
            })
    String difficulty;

    @Option(
            names = "--own-terms",
            defaultValue = "1000",
            paramLabel = "N",
            description = "irt: a model with at least N training answers in one data file also gets a per-prompt term"
                    + " of its own for that file's kind of prompt, learned after the shared ease and weighed by how"
                    + " like that file's prompts a request is (see docs/training.md; default: ${DEFAULT-VALUE};"
                    + " 0: none).")
    int ownTerms;

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

    /**
     * These options as the command line that sets them, every one spelled out (the difficulty kind as given, or
     * irt): what a bundle's recipe keeps, so {@code retrain} trains the same way.
     */
    java.util.List<String> args() {
        return java.util.List.of(
                "--features", features,
                "--difficulty", difficulty == null ? "irt" : difficulty,
                "--own-terms", Integer.toString(ownTerms),
                "--epochs", Integer.toString(epochs),
                "--learning-rate", Double.toString(learningRate),
                "--intent-learning-rate", Double.toString(intentLearningRate),
                "--min-count", Integer.toString(minCount),
                "--intent-min-count", Integer.toString(intentMinCount),
                "--max-columns", Integer.toString(maxColumns),
                "--success", Double.toString(success));
    }

    /** The options {@code args} (as {@link #args()} writes them) set; a bad one is refused by name. */
    static TrainingOptions parse(java.util.List<String> args) {
        Holder holder = new Holder();
        new picocli.CommandLine(holder).parseArgs(args.toArray(String[]::new));
        return holder.options;
    }

    @picocli.CommandLine.Command(name = "recipe")
    private static final class Holder {
        @picocli.CommandLine.Mixin
        TrainingOptions options;
    }

    /**
     * The trainer's options for this seed and held-out share, with {@code difficulty} unless {@code --difficulty}
     * names another; an unknown feature set or difficulty kind is refused by name.
     */
    ClassifierTrainer.Options options(long seed, double testFraction, ClassifierTrainer.Difficulty fallback) {
        return new ClassifierTrainer.Options(
                FeatureSpec.named(features),
                seed,
                testFraction,
                epochs,
                learningRate,
                intentLearningRate,
                minCount,
                intentMinCount,
                maxColumns,
                success,
                difficulty == null ? fallback : ClassifierTrainer.Difficulty.named(difficulty),
                ownTerms);
    }
}
