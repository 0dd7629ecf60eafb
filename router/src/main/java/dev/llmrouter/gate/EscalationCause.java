package dev.llmrouter.gate;

import java.util.List;
import java.util.Locale;

/**
 * Why the gate sent an answer up, as one value of a closed set (for metric labels and dashboards), read
 * from the gate's reasons: a rule that found the answer certainly bad comes first, then a wrong
 * calculation, then low token confidence; otherwise the score was simply below the threshold.
 */
public enum EscalationCause {
    EMPTY,
    TRUNCATED,
    REFUSAL,
    INVALID_JSON,
    CONTENT_FILTER,
    ARITHMETIC_WRONG,
    LOW_LOGPROBS,
    BELOW_THRESHOLD;

    /** The label value, e.g. {@code arithmetic_wrong}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The cause the gate's reasons give (see {@code router/TRACE.md} for every reason). */
    public static EscalationCause of(List<String> reasons) {
        for (EscalationCause hard : List.of(EMPTY, TRUNCATED, REFUSAL, INVALID_JSON, CONTENT_FILTER)) {
            if (reasons.contains(hard.key())) {
                return hard;
            }
        }
        if (reasons.stream().anyMatch(r -> r.startsWith("arithmetic_wrong"))) {
            return ARITHMETIC_WRONG;
        }
        return reasons.contains("logprobs") ? LOW_LOGPROBS : BELOW_THRESHOLD;
    }
}
