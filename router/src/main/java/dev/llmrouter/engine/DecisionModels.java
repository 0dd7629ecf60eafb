package dev.llmrouter.engine;

import dev.llmrouter.classify.Classifier;
import dev.llmrouter.classify.HeuristicClassifier;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.classify.onnx.OnnxClassifier;
import dev.llmrouter.gate.AnswerGate;
import dev.llmrouter.gate.HeuristicAnswerGate;
import dev.llmrouter.gate.onnx.OnnxAnswerGate;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a router decides with: the classifier and the answer gate, from a bundle folder made by {@code train}
 * (its classifier, and its learned gate when it has one, else the rule-based gate) or the heuristics. The one
 * place that makes this choice: the server, the command line, cross-validation and the benchmark all load
 * through {@link #load}.
 */
public record DecisionModels(Classifier classifier, AnswerGate gate) implements AutoCloseable {
    /** The name that chooses the built-in heuristics instead of a bundle. */
    public static final String HEURISTIC = "heuristic";

    public static DecisionModels heuristic() {
        return new DecisionModels(new HeuristicClassifier(), new HeuristicAnswerGate());
    }

    /**
     * {@code choice} is {@value #HEURISTIC} or a bundle folder, relative to {@code home}; a folder that is not
     * there, or not a bundle, is an {@link IllegalArgumentException} naming it and the fix.
     */
    public static DecisionModels load(String choice, Path home, Device device) {
        if (choice.equals(HEURISTIC)) {
            return heuristic();
        }
        Path bundle = home.resolve(choice);
        if (!Files.isDirectory(bundle)) {
            throw new IllegalArgumentException("no classifier bundle at " + bundle
                    + " (make one with ./llm-router train, or say '" + HEURISTIC + "')");
        }
        OnnxClassifier classifier = OnnxClassifier.load(bundle, device);
        try {
            AnswerGate gate =
                    OnnxAnswerGate.load(bundle, device).<AnswerGate>map(g -> g).orElseGet(HeuristicAnswerGate::new);
            return new DecisionModels(classifier, gate);
        } catch (RuntimeException e) {
            classifier.close();
            throw e;
        }
    }

    /** Releases the ONNX models, when these are learned ones. */
    @Override
    public void close() {
        if (classifier instanceof AutoCloseable c) {
            release(c);
        }
        if (gate instanceof AutoCloseable g) {
            release(g);
        }
    }

    private static void release(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot release " + c, e);
        }
    }
}
