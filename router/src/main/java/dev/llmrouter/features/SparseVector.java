package dev.llmrouter.features;

/**
 * Feature values by column of a {@link FeatureSpec}'s space, indices ascending and distinct. Owned by
 * whoever made it; not copied.
 */
public record SparseVector(int[] indices, float[] values) {
    public SparseVector {
        if (indices.length != values.length) {
            throw new IllegalArgumentException("indices and values differ in length");
        }
    }

    public int size() {
        return indices.length;
    }
}
