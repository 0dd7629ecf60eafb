package dev.llmrouter.features;

/**
 * A sentence encoder: text in, one unit-length embedding out. The extractor adds the embedding as dense
 * columns when its {@link FeatureSpec} names an encoder; the implementation runs outside this package.
 */
public interface TextEncoder {
    /** Which encoder this is: the extractor refuses one that is not the spec's. */
    FeatureSpec.Encoder spec();

    /** The embedding of {@code text}, {@code spec().dimensions()} values with unit L2 norm. Thread-safe. */
    float[] encode(String text);
}
