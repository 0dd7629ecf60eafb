package dev.llmrouter.provider;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A provider call that did not produce an answer, normalised. The message is safe to show and record: it
 * never holds an API key or a request header.
 */
public final class ProviderFailure extends Exception {
    private final ErrorKind kind;
    private final OptionalInt httpStatus;
    private final Optional<Duration> retryAfter;

    public ProviderFailure(ErrorKind kind, String message, OptionalInt httpStatus, Optional<Duration> retryAfter) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.httpStatus = Objects.requireNonNull(httpStatus, "httpStatus");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    public ProviderFailure(ErrorKind kind, String message) {
        this(kind, message, OptionalInt.empty(), Optional.empty());
    }

    public ErrorKind kind() {
        return kind;
    }

    public OptionalInt httpStatus() {
        return httpStatus;
    }

    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
