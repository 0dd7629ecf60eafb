package dev.llmrouter.trace;

/**
 * Whether the cascade escalated to reach the answer a caller gets, as the {@code x-router-escalated} header
 * says it: {@code false}, {@code true}, or {@code failed} when the gate asked for a stronger answer, no
 * stronger attempt succeeded, and the best answer already received was served.
 */
public enum Escalation {
    NONE("false"),
    ESCALATED("true"),
    FAILED("failed");

    private final String header;

    Escalation(String header) {
        this.header = header;
    }

    /** The value of the {@code x-router-escalated} header. */
    public String header() {
        return header;
    }

    /** What a finished trace says. */
    public static Escalation of(DecisionTrace trace) {
        if (trace.outcome() == DecisionTrace.Outcome.SERVED_UNESCALATED) {
            return FAILED;
        }
        return trace.escalated() ? ESCALATED : NONE;
    }
}
