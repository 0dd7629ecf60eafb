package dev.llmrouter.features;

import dev.llmrouter.config.Sha256;
import java.util.List;

/**
 * What the feature extractor computes, versioned. Training writes the spec and its hash into each model
 * card; the runtime refuses a model whose hash differs from the extractor it runs, because the same text
 * would then become a different vector.
 *
 * @param version bumped with any change to tokenisation, hashing or counts
 * @param wordNgrams the longest word n-gram (1 = unigrams, 2 = unigrams and bigrams)
 * @param charNgramMin shortest character n-gram, 0 for none
 * @param charNgramMax longest character n-gram
 * @param hashBits the hashed part has {@code 2^hashBits} buckets
 */
public record FeatureSpec(String version, int wordNgrams, int charNgramMin, int charNgramMax, int hashBits) {
    /** Hashed word uni- and bigrams in 2^18 buckets, plus the counts: the shipped default. */
    public static final FeatureSpec DEFAULT = new FeatureSpec("hashed-v1", 2, 0, 0, 18);

    /** {@link #DEFAULT} plus hashed character 3- to 5-grams: selectable with {@code train --features words+chars}. */
    public static final FeatureSpec WITH_CHARS = new FeatureSpec("hashed-v1", 2, 3, 5, 18);

    /** The specs this build can extract, by the name {@code train --features} takes. */
    public static final java.util.Map<String, FeatureSpec> KNOWN =
            java.util.Map.of("words", DEFAULT, "words+chars", WITH_CHARS);

    /** The known spec with this hash: how the runtime matches a model card to an extractor. */
    public static java.util.Optional<FeatureSpec> byHash(String hash) {
        return KNOWN.values().stream().filter(s -> s.hash().equals(hash)).findFirst();
    }

    /** Names of the dense count features, in alphabetical order: their columns come first. */
    public static final List<String> COUNTS = List.of(
            "c_chars",
            "c_code_blocks",
            "c_digits",
            "c_lines",
            "c_math",
            "c_options",
            "c_questions",
            "c_turns",
            "c_upper",
            "c_words");

    public FeatureSpec {
        if (wordNgrams < 1 || wordNgrams > 3) {
            throw new IllegalArgumentException("wordNgrams must be 1 to 3, got " + wordNgrams);
        }
        if (charNgramMin < 0 || charNgramMax < charNgramMin || charNgramMax > 8) {
            throw new IllegalArgumentException("character n-grams must satisfy 0 <= min <= max <= 8");
        }
        if (hashBits < 8 || hashBits > 24) {
            throw new IllegalArgumentException("hashBits must be 8 to 24, got " + hashBits);
        }
    }

    public int buckets() {
        return 1 << hashBits;
    }

    /** Width of the full feature space: the counts, then the hash buckets. */
    public int width() {
        return COUNTS.size() + buckets();
    }

    /** The name Tribuo knows a column by; names sort in column order. */
    public String name(int index) {
        return index < COUNTS.size() ? COUNTS.get(index) : String.format("h%07d", index - COUNTS.size());
    }

    /**
     * The answer gate's feature space: the answer's features first (names prefixed with {@code a}), then the
     * prompt's, so names still sort in index order.
     */
    public int gateWidth() {
        return 2 * width();
    }

    public String gateName(int index) {
        return index < width() ? "a" + name(index) : name(index - width());
    }

    /** sha256 of the spec's canonical text. */
    public String hash() {
        return Sha256.hex(canonical());
    }

    public String canonical() {
        return "version=" + version + ";word_ngrams=" + wordNgrams + ";char_ngrams=" + charNgramMin + "-"
                + charNgramMax + ";hash_bits=" + hashBits + ";hash=fnv1a32;values=log1p-tf,l2-per-group;counts="
                + String.join(",", COUNTS);
    }
}
