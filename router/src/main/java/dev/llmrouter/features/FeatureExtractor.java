package dev.llmrouter.features;

import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.TextWindow;
import java.util.Arrays;
import java.util.Locale;

/**
 * Turns a request into the feature vector that training and serving share: hashed word n-grams and
 * character n-grams of the last user message (log term frequency, L2-normalised per group), and simple
 * counts (length, lines, code blocks, digits, math notation, answer options, question marks, upper case,
 * words, conversation turns), each squashed into [0, 1], and, when the spec names a sentence encoder, its
 * embedding of the message as dense columns. The n-grams and the embedding read the message's
 * {@link TextWindow} and the counts the whole message, so a request's cost is bounded whatever its length.
 * Stateless and thread-safe.
 */
public final class FeatureExtractor {
    private static final int WORD_SEED = 0x9747b28c;
    private static final int CHAR_SEED = 0x5bd1e995;

    private final FeatureSpec spec;
    private final java.util.Optional<TextEncoder> encoder;

    /** The extractor of a spec without a sentence encoder. */
    public FeatureExtractor(FeatureSpec spec) {
        this(spec, java.util.Optional.empty());
    }

    /** The extractor of a spec whose sentence encoder is {@code encoder} (empty when the spec names none). */
    public FeatureExtractor(FeatureSpec spec, java.util.Optional<TextEncoder> encoder) {
        if (spec.encoder().present() != encoder.isPresent()
                || encoder.isPresent() && !encoder.get().spec().equals(spec.encoder())) {
            throw new IllegalArgumentException("features '" + spec.canonical() + "' need the encoder "
                    + spec.encoder().name() + ", got "
                    + encoder.map(e -> e.spec().name()).orElse("none"));
        }
        this.spec = spec;
        this.encoder = encoder;
    }

    public FeatureSpec spec() {
        return spec;
    }

    public SparseVector extract(ChatRequest request) {
        return extract(request.lastUserText(), request.userTurns());
    }

    /** Where the answer's features start in an answer gate's (they take {@link FeatureSpec#width()}). */
    public static final int GATE_ANSWER_OFFSET = AnswerChecks.NAMES.size();

    /**
     * The answer gate's features, in {@link FeatureSpec#gateWidth()}: the {@link AnswerChecks}, the answer's
     * features (from {@link #GATE_ANSWER_OFFSET}), then the prompt's.
     */
    public SparseVector extractGate(String prompt, int turns, String answer) {
        float[] checks = AnswerChecks.of(prompt, answer);
        SparseVector a = extract(answer, 1);
        SparseVector p = extract(prompt, turns);
        int[] idx = new int[checks.length + a.size() + p.size()];
        float[] val = new float[idx.length];
        int n = 0;
        for (int i = 0; i < checks.length; i++) {
            if (checks[i] != 0) {
                idx[n] = i;
                val[n++] = checks[i];
            }
        }
        for (int i = 0; i < a.size(); i++) {
            idx[n] = checks.length + a.indices()[i];
            val[n++] = a.values()[i];
        }
        for (int i = 0; i < p.size(); i++) {
            idx[n] = checks.length + spec.width() + p.indices()[i];
            val[n++] = p.values()[i];
        }
        return new SparseVector(Arrays.copyOf(idx, n), Arrays.copyOf(val, n));
    }

    /** The features of {@code text} as the last of {@code turns} user turns. */
    public SparseVector extract(String text, int turns) {
        int buckets = spec.buckets();
        int mask = buckets - 1;
        String window = TextWindow.of(text);
        String lower = window.toLowerCase(Locale.ROOT);
        Accumulator words = new Accumulator();
        String[] tokens = tokens(lower);
        for (int n = 1; n <= spec.wordNgrams(); n++) {
            for (int i = 0; i + n <= tokens.length; i++) {
                int h = WORD_SEED ^ n;
                for (int k = i; k < i + n; k++) {
                    h = fnv(h, tokens[k]);
                    h = fnvChar(h, ' ');
                }
                words.add(h & mask);
            }
        }
        Accumulator chars = new Accumulator();
        if (spec.charNgramMin() > 0) {
            String squashed = " " + String.join(" ", tokens) + " ";
            for (int n = spec.charNgramMin(); n <= spec.charNgramMax(); n++) {
                for (int i = 0; i + n <= squashed.length(); i++) {
                    int h = CHAR_SEED ^ n;
                    for (int k = i; k < i + n; k++) {
                        h = fnvChar(h, squashed.charAt(k));
                    }
                    chars.add(h & mask);
                }
            }
        }
        float[] dense = counts(text, window, tokens.length, turns);
        if (encoder.isPresent()) {
            float[] embedding = encoder.get().encode(window);
            int counts = dense.length;
            dense = Arrays.copyOf(dense, counts + embedding.length);
            System.arraycopy(embedding, 0, dense, counts, embedding.length);
        }
        return merge(dense, words.normalised(), chars.normalised());
    }

    /**
     * The count columns. Length, lines, question marks and code fences are counted over the whole
     * {@code text} (vectorised scans); digit, upper-case and math shares, answer options and the word count
     * come from its {@code window} ({@link TextWindow}), the word count scaled to the whole length.
     */
    private static float[] counts(String text, String window, int windowWords, int turns) {
        int digits = 0;
        int upper = 0;
        int letters = 0;
        int math = 0;
        for (int i = 0; i < window.length(); i++) {
            char c = window.charAt(i);
            if (Character.isDigit(c)) {
                digits++;
            } else if (Character.isLetter(c)) {
                letters++;
                if (Character.isUpperCase(c)) {
                    upper++;
                }
            } else if (isMathMark(window, i)) {
                math++;
            }
        }
        int questions = occurrences(text, "?");
        int lines = 1 + occurrences(text, "\n");
        int codeBlocks = occurrences(text, "```") / 2;
        int options = answerOptions(window);
        int chars = Math.max(1, window.length());
        double words = windowWords * (double) text.length() / chars;
        // alphabetical, as FeatureSpec.COUNTS
        return new float[] {
            squash(Math.log1p(text.length()) / Math.log1p(20_000)),
            squash(codeBlocks / 3.0),
            squash(digits * 5.0 / chars),
            squash(Math.log1p(lines) / Math.log1p(400)),
            squash(math * 10.0 / chars),
            squash(options / 10.0),
            squash(questions / 5.0),
            squash((turns - 1) / 5.0),
            squash(upper / (double) Math.max(1, letters) * 3),
            squash(Math.log1p(words) / Math.log1p(4000))
        };
    }

    private static float squash(double v) {
        return (float) Math.max(0, Math.min(1, v));
    }

    /** The dense columns (counts, embedding) first, then the hash buckets from {@link FeatureSpec#bucketBase()}. */
    private SparseVector merge(float[] dense, Accumulator.Sparse words, Accumulator.Sparse chars) {
        int base = spec.bucketBase();
        int[] idx = new int[dense.length + words.size() + chars.size()];
        float[] val = new float[idx.length];
        int n = 0;
        for (int i = 0; i < dense.length; i++) {
            if (dense[i] != 0) {
                idx[n] = i;
                val[n++] = dense[i];
            }
        }
        // merge the two sorted bucket lists, summing a bucket both groups hit
        int i = 0;
        int j = 0;
        while (i < words.size() || j < chars.size()) {
            int bw = i < words.size() ? words.buckets()[i] : Integer.MAX_VALUE;
            int bc = j < chars.size() ? chars.buckets()[j] : Integer.MAX_VALUE;
            int bucket = Math.min(bw, bc);
            float v = 0;
            if (bw == bucket) {
                v += words.values()[i++];
            }
            if (bc == bucket) {
                v += chars.values()[j++];
            }
            idx[n] = base + bucket;
            val[n++] = v;
        }
        return new SparseVector(Arrays.copyOf(idx, n), Arrays.copyOf(val, n));
    }

    /**
     * The tokens of {@code lower}, in order: the runs of letters and numbers (Unicode {@code \\p{L}} and
     * {@code \\p{N}}), except that each letter or number of a script written without spaces between words
     * ({@link #unspaced}: Chinese, Japanese kana, Thai, ...) is a token of its own, so that such text gives
     * characters and, as word bigrams, character pairs rather than one token a clause.
     */
    static String[] tokens(String lower) {
        String[] out = new String[Math.max(8, lower.length() / 4)];
        int n = 0;
        int start = -1;
        for (int i = 0; i < lower.length(); ) {
            int cp = lower.codePointAt(i);
            int next = i + Character.charCount(cp);
            boolean word = Character.isLetter(cp) || isNumber(cp);
            boolean single = word && unspaced(cp);
            if (start >= 0 && (!word || single)) {
                out = room(out, n);
                out[n++] = lower.substring(start, i);
                start = -1;
            }
            if (single) {
                out = room(out, n);
                out[n++] = lower.substring(i, next);
            } else if (word && start < 0) {
                start = i;
            }
            i = next;
        }
        if (start >= 0) {
            out = room(out, n);
            out[n++] = lower.substring(start);
        }
        return Arrays.copyOf(out, n);
    }

    private static String[] room(String[] out, int n) {
        return n < out.length ? out : Arrays.copyOf(out, n * 2);
    }

    /**
     * Whether {@code cp} belongs to a script written without spaces between words: Han, Hiragana, Katakana,
     * Thai, Lao, Khmer, Myanmar, Tibetan (the first of them, Thai, starts at U+0E00, so Latin, Cyrillic, Greek,
     * Arabic and the other scripts below it skip the script lookup).
     */
    private static boolean unspaced(int cp) {
        return cp >= 0x0E00
                && switch (Character.UnicodeScript.of(cp)) {
                    case HAN, HIRAGANA, KATAKANA, THAI, LAO, KHMER, MYANMAR, TIBETAN -> true;
                    default -> false;
                };
    }

    private static boolean isNumber(int cp) {
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER
                || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    /** How many times {@code part} occurs in {@code text}, counted left to right without overlap. */
    private static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }

    /**
     * How many lines start an answer option, as {@code (?m)^\\s*\\(?[A-Ja-j][.)]\\s} counts them: at the start
     * of the text or of a line, any whitespace (line breaks too), an optional parenthesis, a letter A to J,
     * a full stop or closing parenthesis, then whitespace.
     */
    private static int answerOptions(String text) {
        int n = 0;
        int length = text.length();
        for (int start = 0; start < length; ) {
            int end = optionAt(text, start);
            if (end > 0) {
                n++;
                start = end;
            } else {
                start = nextLineStart(text, start);
            }
            if (start < 0) {
                break;
            }
            // a match may end exactly at a line start, or in the middle of a line: search on from a line start
            if (start > 0 && !lineStart(text, start)) {
                start = nextLineStart(text, start);
                if (start < 0) {
                    break;
                }
            }
        }
        return n;
    }

    /** The end of an option match starting at {@code i}, or -1. */
    private static int optionAt(String text, int i) {
        int length = text.length();
        while (i < length && whitespace(text.charAt(i))) {
            i++;
        }
        if (i < length && text.charAt(i) == '(') {
            i++;
        }
        if (i + 2 >= length) {
            return -1;
        }
        char letter = text.charAt(i);
        char mark = text.charAt(i + 1);
        char after = text.charAt(i + 2);
        boolean ok = (letter >= 'A' && letter <= 'J' || letter >= 'a' && letter <= 'j')
                && (mark == '.' || mark == ')')
                && whitespace(after);
        return ok ? i + 3 : -1;
    }

    private static boolean whitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /** Whether {@code ^} of a MULTILINE pattern matches at {@code i}: after a line terminator, not inside CRLF. */
    private static boolean lineStart(String text, int i) {
        if (i == 0) {
            return true;
        }
        if (i >= text.length()) {
            return false;
        }
        char before = text.charAt(i - 1);
        if (before == '\r') {
            return text.charAt(i) != '\n';
        }
        return before == '\n' || before == '\u0085' || before == '\u2028' || before == '\u2029';
    }

    /** The first line start after {@code i}, or -1. */
    private static int nextLineStart(String text, int i) {
        for (int k = i + 1; k < text.length(); k++) {
            if (lineStart(text, k)) {
                return k;
            }
        }
        return -1;
    }

    /** Whether math notation starts at {@code i}: one of {@code = + * / ^ < > $}, or {@code \\frac} or {@code \\sqrt}. */
    private static boolean isMathMark(String text, int i) {
        char c = text.charAt(i);
        return switch (c) {
            case '=', '+', '*', '/', '^', '<', '>', '$' -> true;
            case '\\' -> text.startsWith("frac", i + 1) || text.startsWith("sqrt", i + 1);
            default -> false;
        };
    }

    private static int fnv(int h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h = fnvChar(h, s.charAt(i));
        }
        return h;
    }

    private static int fnvChar(int h, char c) {
        h ^= c;
        return h * 0x01000193;
    }

    /** Bucket counts of one group, turned into log term frequencies with unit L2 norm. */
    private static final class Accumulator {
        private int[] buckets = new int[64];
        private int size;

        void add(int bucket) {
            if (size == buckets.length) {
                buckets = Arrays.copyOf(buckets, size * 2);
            }
            buckets[size++] = bucket;
        }

        record Sparse(int[] buckets, float[] values, int size) {}

        Sparse normalised() {
            int[] sorted = Arrays.copyOf(buckets, size);
            Arrays.sort(sorted);
            int[] unique = new int[size];
            float[] values = new float[size];
            int n = 0;
            for (int i = 0; i < size; ) {
                int j = i;
                while (j < size && sorted[j] == sorted[i]) {
                    j++;
                }
                unique[n] = sorted[i];
                values[n++] = (float) (1 + Math.log(j - i));
                i = j;
            }
            double norm = 0;
            for (int k = 0; k < n; k++) {
                norm += values[k] * values[k];
            }
            float scale = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0;
            for (int k = 0; k < n; k++) {
                values[k] *= scale;
            }
            return new Sparse(unique, values, n);
        }
    }
}
