package dev.llmrouter.training;

import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.classify.onnx.OnnxModel;
import dev.llmrouter.features.FeatureSpec;
import dev.llmrouter.features.SparseVector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * The exported ONNX file, run through DJL exactly as the router runs it, must give Tribuo's own
 * probabilities: checked on up to 500 held-out rows (training rows when nothing is held out) at every export.
 */
final class Parity {
    /** The largest difference allowed between Tribuo's and the exported model's probabilities. */
    static final double TOLERANCE = 1e-5;

    private Parity() {}

    static double check(
            Model<Label> model,
            Path dir,
            String name,
            FeatureSpec spec,
            TribuoExamples examples,
            List<SparseVector> all) {
        List<SparseVector> rows = new ArrayList<>(all.subList(0, Math.min(500, all.size())));
        double worst = 0;
        try (OnnxModel onnx = OnnxModel.load(dir, name, spec, Device.CPU)) {
            List<String> labels = onnx.card().labels();
            for (SparseVector row : rows) {
                float[] exported = onnx.predict(row);
                var scores =
                        model.predict(examples.example(row, labels.getFirst())).getOutputScores();
                for (int c = 0; c < labels.size(); c++) {
                    worst = Math.max(
                            worst,
                            Math.abs(exported[c] - scores.get(labels.get(c)).getScore()));
                }
            }
        }
        if (worst > TOLERANCE) {
            throw new IllegalStateException(name + ": the exported ONNX model differs from Tribuo's by " + worst
                    + " (more than " + TOLERANCE + "): the export is not trustworthy; report this as a bug");
        }
        return worst;
    }
}
