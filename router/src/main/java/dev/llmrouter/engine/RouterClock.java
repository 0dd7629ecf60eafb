package dev.llmrouter.engine;

import java.time.Duration;
import java.time.Instant;

/** Time as the router sees it; tests substitute a clock they advance themselves, so no test waits or races. */
public interface RouterClock {
    Instant now();

    /** A monotonic reading for measuring latency. */
    long nanoTime();

    /** Waits before a retry (a provider's Retry-After). */
    void sleep(Duration duration) throws InterruptedException;

    static RouterClock system() {
        return new RouterClock() {
            @Override
            public Instant now() {
                return Instant.now();
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                Thread.sleep(duration);
            }
        };
    }
}
