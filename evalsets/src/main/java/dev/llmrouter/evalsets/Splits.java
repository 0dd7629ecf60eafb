package dev.llmrouter.evalsets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Leak-free train/test splits: a record's side is decided by a hash of its normalised prompt and a seed,
 * never by its row or file. The same question in two files (GSM8K in several sets, MMLU stems in MMLU-Pro
 * with other answer options) therefore always lands on the same side, and a split is the same on every
 * machine for a given seed.
 */
public final class Splits {
    private static final Pattern OPTION_LINE = Pattern.compile("(?m)^\\s*\\(?[A-Ja-j][.)]\\s.*$");
    private static final Pattern ANSWER_CUE = Pattern.compile("(?i)\\banswer\\s*:\\s*$");
    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

    private final long seed;
    private final double testFraction;

    /** @param testFraction the share of prompts that go to the test side, in (0, 1) */
    public Splits(long seed, double testFraction) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("the test fraction must be between 0 and 1, got " + testFraction);
        }
        this.seed = seed;
        this.testFraction = testFraction;
    }

    public enum Side {
        TRAIN,
        TEST
    }

    public Side sideOf(LabelledRecord record) {
        return unit(key(record)) < testFraction ? Side.TEST : Side.TRAIN;
    }

    /** The record's fold of {@code folds}, by the same hash: for k-fold cross-validation by prompt. */
    public int foldOf(LabelledRecord record, int folds) {
        return Math.min(folds - 1, (int) (unit(key(record)) * folds));
    }

    public List<LabelledRecord> select(List<LabelledRecord> records, Side side) {
        return records.stream().filter(r -> sideOf(r) == side).toList();
    }

    /**
     * The identity of a question: the first user turn of a conversation (or the prompt), lower-cased, with
     * multiple-choice option lines and a trailing "Answer:" cue removed and every run of non-letters and
     * non-digits collapsed to one space.
     */
    public static String key(LabelledRecord record) {
        String first =
                record.turns().isEmpty() ? record.prompt() : record.turns().getFirst();
        return normalise(first);
    }

    static String normalise(String prompt) {
        String text = OPTION_LINE.matcher(prompt).replaceAll(" ");
        text = ANSWER_CUE.matcher(text.strip()).replaceAll("");
        return NON_WORD.matcher(text.toLowerCase(Locale.ROOT)).replaceAll(" ").strip();
    }

    private double unit(String key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Long.toString(seed).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            byte[] digest = sha.digest(key.getBytes(StandardCharsets.UTF_8));
            long bits = ByteBuffer.wrap(digest).getLong() >>> 11;
            return bits / (double) (1L << 53);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
