package dev.llmrouter.provider;

import dev.llmrouter.trace.Escalation;

/**
 * Receives a streamed answer piece by piece. The router guarantees that once {@link #onText} has been
 * called for one model, no other model's text is ever sent to the same sink. A sink whose caller went away
 * throws {@link ClientGone}.
 */
public interface StreamSink {
    /** A piece of the assistant's text, in order. */
    void onText(String delta);

    /**
     * Called once, before the first text, with the catalog id of the model whose text follows and whether the
     * cascade escalated to reach it (final: nothing switches model once text has been sent).
     */
    default void onModel(String model, Escalation escalation) {}

    /**
     * Called before each provider call after the first (a retry, a fallback, an escalation): a sink whose
     * caller has gone away throws {@link ClientGone}, and the router stops instead of paying for answers
     * nobody will read.
     */
    default void beforeAttempt() {}

    /** A sink that drops everything: for calls whose answer is buffered. */
    static StreamSink discarding() {
        return delta -> {};
    }
}
