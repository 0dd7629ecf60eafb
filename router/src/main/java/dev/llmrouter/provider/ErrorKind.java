package dev.llmrouter.provider;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The closed set every provider failure is normalised into. Each kind has exactly one recovery, fixed here
 * and nowhere else, so a policy chooses only which kinds may move on, never what moving on means.
 */
public enum ErrorKind {
    /** 429: wait the provider's Retry-After when it is short enough, else move to the next model. */
    RATE_LIMITED(Recovery.WAIT_OR_NEXT_MODEL),
    /** No answer within the connect, first-byte or total timeout. */
    TIMEOUT(Recovery.NEXT_MODEL),
    /** 503 / 529 or an "overloaded" error body: the provider is shedding load. */
    OVERLOADED(Recovery.NEXT_MODEL),
    /** Any other 5xx, a malformed answer or a connection cut. */
    SERVER_ERROR(Recovery.NEXT_MODEL),
    /** The prompt plus max_tokens did not fit the model's context window. */
    CONTEXT_TOO_LONG(Recovery.LARGER_CONTEXT_MODEL),
    /** The request is wrong for any model: only the caller can fix it. */
    BAD_REQUEST(Recovery.RETURN_TO_CALLER),
    /** 401 / 403 from the provider: our key for that provider is missing or refused. */
    AUTH(Recovery.NEXT_MODEL),
    /** The provider's content filter refused the prompt or the answer. */
    CONTENT_FILTERED(Recovery.RETURN_TO_CALLER);

    private final Recovery recovery;

    ErrorKind(Recovery recovery) {
        this.recovery = recovery;
    }

    public Recovery recovery() {
        return recovery;
    }

    /** The name used in policy files and traces. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ErrorKind> fromKey(String key) {
        return Arrays.stream(values()).filter(k -> k.key().equals(key)).findFirst();
    }

    /** What the router does after a failure of a kind. */
    public enum Recovery {
        WAIT_OR_NEXT_MODEL,
        NEXT_MODEL,
        LARGER_CONTEXT_MODEL,
        RETURN_TO_CALLER;

        /** Whether a policy may list the kind in {@code fallback.on}: the kinds that can move on at all. */
        public boolean canMoveOn() {
            return this != RETURN_TO_CALLER;
        }
    }
}
