package dev.llmrouter.cli;

import dev.llmrouter.classify.Classifier;
import dev.llmrouter.classify.HeuristicClassifier;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.classify.onnx.OnnxAnswerGate;
import dev.llmrouter.classify.onnx.OnnxClassifier;
import dev.llmrouter.gate.AnswerGate;
import dev.llmrouter.gate.HeuristicAnswerGate;
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

    Classifier load() {
        String choice = choice();
        if (choice.equals("heuristic")) {
            return new HeuristicClassifier();
        }
        return OnnxClassifier.load(Path.of(choice), Device.parse(device));
    }

    /** The bundle's learned gate when it has one, else the rule-based gate. */
    AnswerGate gate() {
        String choice = choice();
        if (choice.equals("heuristic")) {
            return new HeuristicAnswerGate();
        }
        return OnnxAnswerGate.load(Path.of(choice), Device.parse(device))
                .<AnswerGate>map(g -> g)
                .orElseGet(HeuristicAnswerGate::new);
    }

    private String choice() {
        return classifier.orElseGet(() -> {
            Path shipped = shipped();
            return java.nio.file.Files.isRegularFile(shipped.resolve("intent.onnx")) ? shipped.toString() : "heuristic";
        });
    }

    private static Path shipped() {
        String home = System.getProperty("llmrouter.home", "");
        return (home.isEmpty() ? Path.of("models") : Path.of(home, "models")).resolve("default");
    }
}
