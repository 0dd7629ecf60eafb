package dev.llmrouter.cli;

import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.engine.DecisionModels;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --classifier DIR} and {@code --device}: the learned bundle to route with (its classifier and, when it
 * has one, its answer gate), else the heuristics.
 */
final class ClassifierOption {
    @Option(
            names = "--classifier",
            paramLabel = "DIR",
            description =
                    "A classifier bundle made by 'train' (intent.onnx, difficulty.onnx or difficulty-tier<N>.onnx, and their cards);"
                            + " 'heuristic' for the built-in heuristic (default: models/default when present, else heuristic).")
    Optional<String> classifier = Optional.empty();

    @Option(
            names = "--device",
            defaultValue = "auto",
            paramLabel = "auto|cpu|gpu",
            description = "Where ONNX models run (default: ${DEFAULT-VALUE}).")
    String device;

    /** The classifier and answer gate this option chooses; the caller closes them. */
    DecisionModels load() {
        return DecisionModels.load(choice(), Path.of(""), Device.parse(device));
    }

    private String choice() {
        return classifier.orElseGet(() -> {
            Path shipped = shipped();
            return java.nio.file.Files.isRegularFile(shipped.resolve("intent.onnx"))
                    ? shipped.toString()
                    : DecisionModels.HEURISTIC;
        });
    }

    private static Path shipped() {
        String home = System.getProperty("llmrouter.home", "");
        return (home.isEmpty() ? Path.of("models") : Path.of(home, "models")).resolve("default");
    }
}
