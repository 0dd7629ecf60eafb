package dev.llmrouter.catalog;

import java.time.Duration;

/**
 * Limits of one provider call: to open the connection, to receive the first byte of the answer, and for the
 * whole answer. A limit that passes fails the call with {@link ErrorKind#TIMEOUT}.
 */
public record Timeouts(Duration connect, Duration firstByte, Duration total) {
    public static final Timeouts DEFAULT =
            new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(120));

    public Timeouts {
        for (Duration d : new Duration[] {connect, firstByte, total}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive durations");
            }
        }
        if (firstByte.compareTo(total) > 0) {
            throw new IllegalArgumentException("the first-byte timeout cannot exceed the total timeout");
        }
    }
}
