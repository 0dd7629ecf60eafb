package dev.llmrouter.training;

import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.features.SparseVector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The data of one model: feature vectors with their labels, train and test sides, and each label's weight. */
record Labelled(
        List<SparseVector> train,
        List<String> trainLabels,
        List<SparseVector> test,
        List<String> testLabels,
        Map<String, Double> classWeights) {
    Labelled() {
        this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), Map.of());
    }

    /** The records {@code label} labels (null leaves one out), each on the side {@code test} gives it. */
    static Labelled of(
            List<LabelledRecord> records,
            List<SparseVector> vectors,
            boolean[] test,
            java.util.function.Function<LabelledRecord, String> label) {
        Labelled data = new Labelled();
        for (int i = 0; i < records.size(); i++) {
            String l = label.apply(records.get(i));
            if (l == null) {
                continue;
            }
            (test[i] ? data.test() : data.train()).add(vectors.get(i));
            (test[i] ? data.testLabels() : data.trainLabels()).add(l);
        }
        return data;
    }
}
