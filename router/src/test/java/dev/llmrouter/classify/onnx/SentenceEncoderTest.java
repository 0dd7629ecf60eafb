package dev.llmrouter.classify.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.features.FeatureExtractor;
import dev.llmrouter.features.FeatureSpec;
import dev.llmrouter.features.SparseVector;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shipped sentence encoders run through DJL and give embeddings the extractor can use as features. */
class SentenceEncoderTest {
    static FeatureSpec.Encoder encoder(String name) {
        return FeatureSpec.named("words+" + name).encoder();
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }

    @ParameterizedTest
    @ValueSource(strings = {"minilm", "bge"})
    void embeddingsAreUnitLengthAndCloserForRelatedPrompts(String name) {
        SentenceEncoder encoder = SentenceEncoder.shared(encoder(name), Device.CPU);
        float[] card = encoder.encode("How do I reset the PIN of my bank card?");
        float[] pin = encoder.encode("I forgot my debit card PIN, what can I do?");
        float[] primes = encoder.encode("Prove that there are infinitely many primes.");
        assertEquals(384, card.length);
        assertEquals(1.0, cosine(card, card), 1e-4);
        assertTrue(cosine(card, pin) > cosine(card, primes) + 0.2, cosine(card, pin) + " vs " + cosine(card, primes));
        assertSame(card, encoder.encode("How do I reset the PIN of my bank card?"), "a prompt seen again is cached");
        assertEquals(384, encoder.encode("").length, "an empty prompt still has an embedding");
        assertEquals(
                384,
                encoder.encode("word ".repeat(3000)).length,
                "a prompt longer than the encoder reads is truncated");
    }

    @ParameterizedTest
    @ValueSource(strings = {"minilm"})
    void theExtractorPutsTheEmbeddingBetweenTheCountsAndTheHashBuckets(String name) {
        FeatureSpec spec = FeatureSpec.named("words+" + name);
        FeatureExtractor extractor = SentenceEncoder.extractorFor(spec, Device.CPU);
        SparseVector v = extractor.extract("What is the capital of France?", 1);
        int counts = FeatureSpec.COUNTS.size();
        int dense = 0;
        for (int index : v.indices()) {
            assertTrue(index < spec.width());
            dense += index >= counts && index < counts + 384 ? 1 : 0;
        }
        assertTrue(dense > 300, "the embedding's dimensions are features: " + dense);
        assertEquals("e000", spec.name(counts));
        assertEquals("h0000000", spec.name(counts + 384));
        assertTrue(spec.canonical().contains("encoder=all-minilm-l6-v2-q/384/mean/256"), spec.canonical());
        assertTrue(!spec.hash().equals(FeatureSpec.DEFAULT.hash()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"minilm"})
    void anExtractorWithoutItsSpecsEncoderIsRefused(String name) {
        FeatureSpec spec = FeatureSpec.named("words+" + name);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new FeatureExtractor(spec, Optional.empty()));
        assertTrue(e.getMessage().contains("need the encoder all-minilm-l6-v2-q, got none"), e.getMessage());
        SentenceEncoder minilm = SentenceEncoder.shared(encoder(name), Device.CPU);
        assertThrows(
                IllegalArgumentException.class, () -> new FeatureExtractor(FeatureSpec.DEFAULT, Optional.of(minilm)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"words+glove", "chars"})
    void anUnknownFeatureSetListsTheKnownOnes(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureSpec.named(name));
        assertEquals(
                "--features: expected one of words, words+static, words+chars, words+minilm, words+bge, got '" + name
                        + "'",
                e.getMessage());
    }
}
