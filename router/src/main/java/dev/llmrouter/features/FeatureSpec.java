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
 * @param encoder the sentence encoder whose embedding joins the features, {@link Encoder#NONE} for none
 */
public record FeatureSpec(
        String version, int wordNgrams, int charNgramMin, int charNgramMax, int hashBits, Encoder encoder) {
    /**
     * A sentence encoder the extractor can add: its name (as {@code train --features} takes it), the
     * embedding's width, how the token vectors are pooled, and the most tokens it reads.
     */
    public record Encoder(String name, int dimensions, String pooling, int maxTokens) {
        public static final Encoder NONE = new Encoder("none", 0, "none", 0);
        /** all-MiniLM-L6-v2, quantised, from langchain4j's Maven jar: mean pooling, 384 dimensions. */
        public static final Encoder MINILM = new Encoder("all-minilm-l6-v2-q", 384, "mean", 256);
        /** BGE small en v1.5, quantised, from langchain4j's Maven jar: CLS pooling, 384 dimensions. */
        public static final Encoder BGE = new Encoder("bge-small-en-v1.5-q", 384, "cls", 512);
        /**
         * MiniLM distilled to a static table: each word piece's vector computed once, alone, on its 256 leading
         * principal axes; a prompt's embedding is its pieces' weighted sum (the router's {@code StaticEncoder}).
         */
        public static final Encoder MINILM_STATIC = new Encoder("all-minilm-l6-v2-q", 256, "static", 512);

        public boolean present() {
            return dimensions > 0;
        }
    }

    /** Hashed word uni- and bigrams in 2^18 buckets, plus the counts: the shipped default. */
    public static final FeatureSpec DEFAULT = new FeatureSpec("hashed-v3", 2, 0, 0, 18, Encoder.NONE);

    /** {@link #DEFAULT} plus hashed character 3- to 5-grams: selectable with {@code train --features words+chars}. */
    public static final FeatureSpec WITH_CHARS = new FeatureSpec("hashed-v3", 2, 3, 5, 18, Encoder.NONE);

    /** {@link #DEFAULT} plus the MiniLM sentence embedding: {@code train --features words+minilm}. */
    public static final FeatureSpec WITH_MINILM = new FeatureSpec("hashed-v3", 2, 0, 0, 18, Encoder.MINILM);

    /** {@link #DEFAULT} plus the BGE small sentence embedding: {@code train --features words+bge}. */
    public static final FeatureSpec WITH_BGE = new FeatureSpec("hashed-v3", 2, 0, 0, 18, Encoder.BGE);

    /** {@link #DEFAULT} plus MiniLM's static word-piece vectors: {@code train --features words+static}. */
    public static final FeatureSpec WITH_STATIC = new FeatureSpec("hashed-v3", 2, 0, 0, 18, Encoder.MINILM_STATIC);

    /** The specs this build can extract, by the name {@code train --features} takes. */
    public static final java.util.SequencedMap<String, FeatureSpec> KNOWN = known();

    private static java.util.SequencedMap<String, FeatureSpec> known() {
        java.util.LinkedHashMap<String, FeatureSpec> known = new java.util.LinkedHashMap<>();
        known.put("words", DEFAULT);
        known.put("words+static", WITH_STATIC);
        known.put("words+chars", WITH_CHARS);
        known.put("words+minilm", WITH_MINILM);
        known.put("words+bge", WITH_BGE);
        return java.util.Collections.unmodifiableSequencedMap(known);
    }

    /** The known spec of this name, as {@code --features} takes it; an unknown name lists the known ones. */
    public static FeatureSpec named(String name) {
        FeatureSpec spec = KNOWN.get(name);
        if (spec == null) {
            throw new IllegalArgumentException(
                    "--features: expected one of " + String.join(", ", KNOWN.keySet()) + ", got '" + name + "'");
        }
        return spec;
    }

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
        java.util.Objects.requireNonNull(encoder, "encoder");
    }

    /** This spec without its sentence encoder: the same words, characters and counts. */
    public FeatureSpec withoutEncoder() {
        return new FeatureSpec(version, wordNgrams, charNgramMin, charNgramMax, hashBits, Encoder.NONE);
    }

    public int buckets() {
        return 1 << hashBits;
    }

    /** Width of the full feature space: the counts, then the embedding (if any), then the hash buckets. */
    public int width() {
        return bucketBase() + buckets();
    }

    /** The column of the first hash bucket. */
    public int bucketBase() {
        return COUNTS.size() + encoder.dimensions();
    }

    /** Whether a column of the feature space is dense (a count or an embedding dimension), not a hash bucket. */
    public boolean dense(int index) {
        return index < bucketBase();
    }

    /** The name Tribuo knows a column by; names sort in column order (c_..., e..., h...). */
    public String name(int index) {
        if (index < COUNTS.size()) {
            return COUNTS.get(index);
        }
        return index < bucketBase()
                ? String.format("e%03d", index - COUNTS.size())
                : String.format("h%07d", index - bucketBase());
    }

    /**
     * The answer gate's feature space: the {@link AnswerChecks} first, then the answer's features (names
     * prefixed with {@code a}), then the prompt's, so names still sort in index order ({@code a_} before
     * {@code ac_}, {@code ae}, {@code ah}, then {@code c_}, {@code e}, {@code h}).
     */
    public int gateWidth() {
        return AnswerChecks.NAMES.size() + 2 * width();
    }

    public String gateName(int index) {
        int checks = AnswerChecks.NAMES.size();
        if (index < checks) {
            return AnswerChecks.NAMES.get(index);
        }
        return index < checks + width() ? "a" + name(index - checks) : name(index - checks - width());
    }

    /** Whether a column of the gate's space is dense (a check, a count or an embedding dimension). */
    public boolean gateDense(int index) {
        int checks = AnswerChecks.NAMES.size();
        return index < checks || dense((index - checks) % width());
    }

    /** sha256 of the spec's canonical text. */
    public String hash() {
        return Sha256.hex(canonical());
    }

    public String canonical() {
        return "version=" + version + ";word_ngrams=" + wordNgrams + ";char_ngrams=" + charNgramMin + "-"
                + charNgramMax + ";hash_bits=" + hashBits + ";hash=fnv1a32;values=log1p-tf,l2-per-group;counts="
                + String.join(",", COUNTS)
                + ";gate_checks=" + String.join(",", AnswerChecks.NAMES)
                + (encoder.present()
                        ? ";encoder=" + encoder.name() + "/" + encoder.dimensions() + "/" + encoder.pooling() + "/"
                                + encoder.maxTokens() + ";embedding=l2"
                        : "");
    }
}
