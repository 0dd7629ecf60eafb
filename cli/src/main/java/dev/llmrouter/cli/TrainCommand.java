package dev.llmrouter.cli;

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
                "they teach the intent model, and the difficulty model's easy model, which tells such requests from",
                "the outcome sets' and lifts every model's predicted success on them."
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

    @Option(
            names = "--policy",
            paramLabel = "FILE",
            description = "The policy the bundle is checked against when trained: a warning lists what it refuses"
                    + " (default: config/policy.yaml).")
    Optional<Path> policy = Optional.empty();

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BundleTraining.run(
                input,
                new BundleTraining.Inputs(input.data, intentData, easyData, exclude, List.of(), 1),
                training,
                seed,
                testFraction,
                intentMap.orElseGet(() -> ConfigFiles.defaultFile("intent-map.yaml")),
                Optional.empty(),
                out,
                stdout,
                err);
        Optional<Path> checked = policy.or(() -> {
            try {
                return Optional.of(ConfigFiles.defaultFile("policy.yaml"));
            } catch (IllegalArgumentException noDefault) {
                return Optional.empty(); // no policy here to check against
            }
        });
        if (checked.isEmpty()) {
            return 0;
        }
        Path policyFile = checked.get();
        List<String> refusals = BundleTraining.refusals(out, policyFile, input.loadCatalog());
        if (!refusals.isEmpty()) {
            err.println("warning: " + policyFile + " refuses this bundle, so a router with that policy will not load"
                    + " it (to add logged traffic to a bundle the policy admits, use ./llm-router retrain --base):");
            refusals.forEach(r -> err.println("  " + r));
        }
        return 0;
    }
}
