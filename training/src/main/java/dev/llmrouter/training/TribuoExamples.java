package dev.llmrouter.training;

import dev.llmrouter.features.FeatureSpec;
import dev.llmrouter.features.SparseVector;
import java.util.BitSet;
import java.util.List;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Turns extracted feature vectors into Tribuo examples over a fixed set of columns. Feature names are the
 * spec's ({@code c_*} counts, then {@code h0000123} buckets), which sort in feature-space order, so Tribuo's
 * feature ids, and with them the exported ONNX input columns, follow that order too.
 */
final class TribuoExamples {
    private final java.util.function.IntFunction<String> naming;
    private final BitSet columns;
    private final String[] names;

    /** Examples over {@code spec}'s feature space, or its answer-gate space when {@code gate}. */
    TribuoExamples(FeatureSpec spec, boolean gate, BitSet columns) {
        this.naming = gate ? spec::gateName : spec::name;
        this.columns = columns;
        this.names = new String[gate ? spec.gateWidth() : spec.width()];
    }

    /**
     * Columns used in at least {@code minCount} of {@code vectors}, at most {@code maxColumns} of them (the
     * most used; ties by position); every dense feature (count, embedding) is kept. Fewer columns make a smaller model and a
     * faster dense ONNX input.
     */
    static BitSet columns(FeatureSpec spec, boolean gate, List<SparseVector> vectors, int minCount, int maxColumns) {
        int[] df = new int[gate ? spec.gateWidth() : spec.width()];
        for (SparseVector v : vectors) {
            for (int index : v.indices()) {
                df[index]++;
            }
        }
        BitSet kept = new BitSet(df.length);
        java.util.List<Integer> hashed = new java.util.ArrayList<>();
        for (int i = 0; i < df.length; i++) {
            if (gate ? spec.gateDense(i) : spec.dense(i)) {
                if (df[i] > 0) {
                    kept.set(i);
                }
            } else if (df[i] >= Math.max(1, minCount)) {
                hashed.add(i);
            }
        }
        hashed.sort(java.util.Comparator.comparingInt((Integer i) -> -df[i]).thenComparingInt(i -> i));
        hashed.subList(0, Math.min(hashed.size(), Math.max(0, maxColumns - kept.cardinality())))
                .forEach(kept::set);
        return kept;
    }

    Example<Label> example(SparseVector v, String label) {
        return example(v, label, null);
    }

    /** The example of {@code v}, plus a one-hot feature named {@code extra} when it is not null. */
    Example<Label> example(SparseVector v, String label, String extra) {
        return example(v, label, extra, 1);
    }

    /** The example of {@code v}, plus a feature named {@code extra} of value {@code value} when it is not null. */
    Example<Label> example(SparseVector v, String label, String extra, double value) {
        int kept = 0;
        for (int index : v.indices()) {
            if (columns.get(index)) {
                kept++;
            }
        }
        int n = kept + (extra == null ? 0 : 1);
        String[] featureNames = new String[n];
        double[] values = new double[n];
        int k = 0;
        for (int i = 0; i < v.size(); i++) {
            int index = v.indices()[i];
            if (columns.get(index)) {
                featureNames[k] = name(index);
                values[k] = v.values()[i];
                k++;
            }
        }
        if (extra != null) {
            featureNames[n - 1] = extra;
            values[n - 1] = value;
        }
        return new ArrayExample<>(new Label(label), featureNames, values);
    }

    /** The column of each feature name of this space's examples (not the extra features). */
    java.util.Map<String, Integer> columnsByName() {
        java.util.Map<String, Integer> out = new java.util.HashMap<>();
        for (int c = columns.nextSetBit(0); c >= 0; c = columns.nextSetBit(c + 1)) {
            out.put(name(c), c);
        }
        return out;
    }

    /** A dataset of {@code vectors} with their labels, each example weighted by its label's weight (default 1). */
    MutableDataset<Label> dataset(
            String description,
            List<SparseVector> vectors,
            List<String> labels,
            java.util.Map<String, Double> weights) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset =
                new MutableDataset<>(new SimpleDataSourceProvenance(description, factory), factory);
        for (int i = 0; i < vectors.size(); i++) {
            Example<Label> example = example(vectors.get(i), labels.get(i));
            example.setWeight(weights.getOrDefault(labels.get(i), 1.0).floatValue());
            dataset.add(example);
        }
        return dataset;
    }

    private String name(int index) {
        String name = names[index];
        if (name == null) {
            name = naming.apply(index);
            names[index] = name;
        }
        return name;
    }
}
