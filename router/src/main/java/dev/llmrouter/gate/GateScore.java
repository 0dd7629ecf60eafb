package dev.llmrouter.gate;

import java.util.List;

/**
 * How much a gate trusts an answer.
 *
 * @param score in [0, 1]: the estimated probability that the answer is good
 * @param reasons the checks that fired, as short codes ({@code truncated}, {@code refusal}, ...)
 */
public record GateScore(double score, List<String> reasons) {
    private static final String LEARNED = "learned:";

    /** {@link #judge} of an answer no learned gate judged. */
    public static final String RULES = "rules";

    public GateScore {
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("a gate score must be in [0, 1], got " + score);
        }
        reasons = List.copyOf(reasons);
    }

    /**
     * Which judged an answer, read from its gate's reasons: the learned gate a {@code learned:<gate>} reason names
     * (e.g. {@code gate-math}), else {@code rules} (no learned gate, or none that learned from answers like it).
     */
    public static String judge(List<String> reasons) {
        for (String reason : reasons) {
            if (reason.startsWith(LEARNED)) {
                return reason.substring(LEARNED.length());
            }
        }
        return RULES;
    }

    /** The reason that names the learned gate which judged an answer, e.g. {@code learned:gate-math}. */
    public static String learnedBy(String gate) {
        return LEARNED + gate;
    }
}
