package dev.llmrouter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "retrain",
        mixinStandardHelpOptions = true,
        description = {
            "Train a new bundle from a base bundle's own training data and options plus the router's trace logs",
            "(the team's traffic, each outcome weighted), and keep it only when the policy admits it: the result",
            "is a complete bundle (intent model, difficulty, gates) for the same intents and tiers as the base.",
            "Exit 0 when written, 2 when the policy refuses it (nothing is written then)."
        })
final class RetrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--base",
            required = true,
            paramLabel = "DIR",
            description = "The bundle to start from (made by train or retrain: it keeps its recipe in training.json).")
    Path base;

    @Option(
            names = "--traces",
            required = true,
            arity = "1..*",
            paramLabel = "PATH",
            description = "Trace logs of the router (router.trace.prompts: full), or folders of them (*.jsonl).")
    List<Path> traces;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "The new bundle's folder (new or empty).")
    Path out;

    @Option(
            names = "--trace-weight",
            defaultValue = "1",
            paramLabel = "W",
            description = "How much each logged outcome counts against one of the base's labelled outcomes"
                    + " (default: ${DEFAULT-VALUE}).")
    double traceWeight;

    @Option(
            names = "--base-data",
            paramLabel = "DIR",
            description = "Where the base's training files are now, by file name (default: where its recipe says).")
    Optional<Path> baseData = Optional.empty();

    @Option(names = "--catalog", paramLabel = "FILE", description = "Model catalog (default: config/catalog.yaml).")
    Optional<Path> catalog = Optional.empty();

    @Option(names = "--tiers", paramLabel = "FILE", description = "Model-to-tier mapping (default: config/tiers.yaml).")
    Optional<Path> tiers = Optional.empty();

    @Option(
            names = "--policy",
            paramLabel = "FILE",
            description = "The policy the new bundle must be admitted by (default: config/policy.yaml).")
    Optional<Path> policy = Optional.empty();

    @Option(
            names = "--intent-map",
            paramLabel = "FILE",
            description = "Label-to-intent mapping (default: config/intent-map.yaml).")
    Optional<Path> intentMap = Optional.empty();

    @Option(names = "--skip-invalid", description = "Skip and count invalid lines instead of stopping at the first.")
    boolean skipInvalid;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!(traceWeight > 0) || Double.isInfinite(traceWeight)) {
            throw new IllegalArgumentException("--trace-weight must be positive, got " + traceWeight);
        }
        if (Files.exists(out) && (!Files.isDirectory(out) || !isEmpty(out))) {
            throw new IllegalArgumentException(out + " exists and is not an empty folder: retrain writes a new"
                    + " bundle beside the live one, never over it; choose a new --out");
        }
        TrainingRecipe recipe = TrainingRecipe.read(base);
        List<Path> logs = logs();
        // the base's own logs, and any of them passed again (grown since), are read once
        LinkedHashSet<Path> allLogs = new LinkedHashSet<>();
        recipe.locate(TrainingRecipe.Role.TRACES, base, baseData)
                .forEach(p -> allLogs.add(p.toAbsolutePath().normalize()));
        logs.forEach(p -> allLogs.add(p.toAbsolutePath().normalize()));
        DataOptions files = new DataOptions();
        files.catalog = catalog;
        files.tiers = tiers;
        files.skipInvalid = skipInvalid;
        Path partial = Files.createTempDirectory(
                out.toAbsolutePath().normalize().getParent(), "." + out.getFileName() + ".partial-");
        try {
            stdout.println("retraining from " + base + " (" + recipe.inputs().size() + " files, seed " + recipe.seed()
                    + ", " + String.join(" ", recipe.options()) + ")");
            BundleTraining.run(
                    files,
                    new BundleTraining.Inputs(
                            recipe.locate(TrainingRecipe.Role.DATA, base, baseData),
                            recipe.locate(TrainingRecipe.Role.INTENT, base, baseData),
                            recipe.locate(TrainingRecipe.Role.EASY, base, baseData),
                            recipe.locate(TrainingRecipe.Role.EXCLUDE, base, baseData),
                            List.copyOf(allLogs),
                            traceWeight),
                    TrainingOptions.parse(recipe.options()),
                    recipe.seed(),
                    recipe.testFraction(),
                    intentMap.orElseGet(() -> ConfigFiles.defaultFile("intent-map.yaml")),
                    Optional.of(base.toString()),
                    partial,
                    stdout,
                    err);
            Path policyFile = policy.orElseGet(() -> ConfigFiles.defaultFile("policy.yaml"));
            List<String> refusals = BundleTraining.refusals(partial, policyFile, files.loadCatalog());
            if (!refusals.isEmpty()) {
                err.println("refused: " + policyFile + " does not admit the retrained bundle, so nothing was written:");
                refusals.forEach(r -> err.println("  " + r));
                return Main.REFUSED;
            }
            // the recipe's relative paths were written for the partial folder: write them again for the final one
            TrainingRecipe written = TrainingRecipe.read(partial);
            Files.deleteIfExists(out);
            Files.move(partial, out);
            written.movedTo(partial, out).write(out);
            stdout.println("admitted by " + policyFile + "; the new bundle is " + out);
            return 0;
        } finally {
            if (Files.exists(partial)) {
                deleteTree(partial);
            }
        }
    }

    /** The trace logs named by --traces: files as given, and the *.jsonl files of folders, sorted. */
    private List<Path> logs() throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path p : traces) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.list(p)) {
                    List<Path> jsonl = files.filter(
                                    f -> f.getFileName().toString().endsWith(".jsonl"))
                            .filter(Files::isRegularFile)
                            .sorted()
                            .toList();
                    if (jsonl.isEmpty()) {
                        throw new IllegalArgumentException(p + " holds no *.jsonl trace log");
                    }
                    found.addAll(jsonl);
                }
            } else if (Files.isRegularFile(p)) {
                found.add(p);
            } else {
                throw new IllegalArgumentException("--traces " + p + ": no such file or folder");
            }
        }
        return found;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }
}
