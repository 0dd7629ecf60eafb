package dev.llmrouter.gate;

import java.util.List;

/**
 * How much a gate trusts an answer.
 *
 * @param score in [0, 1]: the estimated probability that the answer is good
 * @param reasons the checks that fired, as short codes ({@code truncated}, {@code refusal}, ...)
 */
public record GateScore(double score, List<String> reasons) {
    public GateScore {
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("a gate score must be in [0, 1], got " + score);
        }
        reasons = List.copyOf(reasons);
    }
}
