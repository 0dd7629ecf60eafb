package dev.llmrouter.cli;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.config.InvalidConfigException;
import dev.llmrouter.engine.DecisionModels;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.Splits;
import dev.llmrouter.evalsets.TierMap;
import dev.llmrouter.features.ModelCard;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.training.ClassifierTrainer;
import dev.llmrouter.training.IntentMap;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One training run of a bundle, as {@code train} and {@code retrain} make it: the inputs by role are loaded
 * (questions of the excluded files left out), logged traffic weighted, every model trained and exported, and
 * the recipe written beside them.
 */
final class BundleTraining {
    /** The input files by role, and the weight each logged record's outcomes get. */
    record Inputs(
            List<Path> data,
            List<Path> intentData,
            List<Path> easyData,
            List<Path> exclude,
            List<Path> traces,
            double traceWeight) {}

    private BundleTraining() {}

    /** Trains into {@code out}; returns the cards. {@code files} gives the catalog, tier map and --skip-invalid. */
    static List<ModelCard> run(
            DataOptions files,
            Inputs inputs,
            TrainingOptions training,
            long seed,
            double testFraction,
            Path intentMap,
            Optional<String> base,
            Path out,
            PrintWriter stdout,
            PrintWriter err) {
        ClassifierTrainer.Options options = training.options(seed, testFraction, ClassifierTrainer.Difficulty.IRT);
        // the files as they are before they are read: a trace log the router appends to may grow meanwhile
        TrainingRecipe recipe = recipe(inputs, training, seed, testFraction, base, out);
        Catalog catalog = files.loadCatalog();
        IntentMap intents = IntentMap.load(intentMap);
        TierMap tierMap = files.tierMap(catalog);
        Set<String> excluded = new HashSet<>();
        files.load(inputs.exclude(), err).records().forEach(r -> excluded.add(Splits.key(r)));
        Function<List<LabelledRecord>, List<LabelledRecord>> kept = records ->
                records.stream().filter(r -> !excluded.contains(Splits.key(r))).toList();
        List<LabelledRecord> easy =
                kept.apply(files.load(inputs.easyData(), err).records());
        List<LabelledRecord> all =
                new ArrayList<>(kept.apply(files.load(inputs.data(), err).records()));
        if (!inputs.traces().isEmpty()) {
            List<LabelledRecord> logged =
                    kept.apply(files.load(inputs.traces(), err).records());
            stdout.println("logged traffic: " + logged.size() + " labelled requests from "
                    + inputs.traces().size() + " trace logs, each outcome weighing " + inputs.traceWeight());
            logged.forEach(r -> all.add(r.weighted(inputs.traceWeight())));
        }
        List<LabelledRecord> intentOnly =
                kept.apply(files.load(inputs.intentData(), err).records());
        List<Path> trainedOn = new ArrayList<>(inputs.data());
        trainedOn.addAll(inputs.traces());
        trainedOn.addAll(inputs.intentData());
        trainedOn.addAll(inputs.easyData());
        long started = System.nanoTime();
        List<ModelCard> cards =
                ClassifierTrainer.train(trainedOn, all, intentOnly, easy, intents, tierMap, options, out, line -> {
                    stdout.println(line);
                    stdout.flush();
                });
        recipe.write(out);
        stdout.printf(
                "trained %d models on %d records in %.1f s into %s%n",
                cards.size(), all.size() + intentOnly.size() + easy.size(), (System.nanoTime() - started) / 1e9, out);
        return cards;
    }

    private static TrainingRecipe recipe(
            Inputs inputs, TrainingOptions training, long seed, double testFraction, Optional<String> base, Path out) {
        List<TrainingRecipe.Input> files = new ArrayList<>();
        inputs.data().forEach(f -> files.add(TrainingRecipe.input(TrainingRecipe.Role.DATA, f, out, 1)));
        inputs.traces()
                .forEach(
                        f -> files.add(TrainingRecipe.input(TrainingRecipe.Role.TRACES, f, out, inputs.traceWeight())));
        inputs.intentData().forEach(f -> files.add(TrainingRecipe.input(TrainingRecipe.Role.INTENT, f, out, 1)));
        inputs.easyData().forEach(f -> files.add(TrainingRecipe.input(TrainingRecipe.Role.EASY, f, out, 1)));
        inputs.exclude().forEach(f -> files.add(TrainingRecipe.input(TrainingRecipe.Role.EXCLUDE, f, out, 1)));
        return new TrainingRecipe(seed, testFraction, training.args(), files, base);
    }

    /**
     * Why {@code policy} refuses the bundle in {@code bundle} (its intents, its tiers), one reason a line; empty
     * when it is admitted.
     */
    static List<String> refusals(Path bundle, Path policy, Catalog catalog) {
        try (DecisionModels models = DecisionModels.load(bundle.toString(), Path.of(""), Device.CPU)) {
            PolicyLoader.load(policy, catalog, models.classifier().intents());
            return List.of();
        } catch (InvalidConfigException e) {
            return e.errors();
        } catch (IllegalArgumentException | IllegalStateException e) {
            return List.of(e.getMessage());
        }
    }
}
