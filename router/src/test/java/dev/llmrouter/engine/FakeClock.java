package dev.llmrouter.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A clock that moves only when told: provider fakes advance it by their scripted latency, sleeps are recorded. */
public final class FakeClock implements RouterClock {
    private Instant now;
    private long nanos;
    private final List<Duration> sleeps = new ArrayList<>();

    public FakeClock(Instant start) {
        this.now = start;
    }

    public FakeClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    public synchronized void advance(Duration d) {
        now = now.plus(d);
        nanos += d.toNanos();
    }

    public synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    @Override
    public synchronized Instant now() {
        return now;
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public void sleep(Duration duration) {
        synchronized (this) {
            sleeps.add(duration);
        }
        advance(duration);
    }
}
