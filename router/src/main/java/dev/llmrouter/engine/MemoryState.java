package dev.llmrouter.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link RouterState} in this process's memory: cooldowns in a concurrent map (read on every request without a
 * lock), scores and budgets under one lock held for microseconds.
 */
final class MemoryState implements RouterState {
    private record Failures(int count, Instant until) {}

    private record Counter(long used, Instant keepUntil) {}

    private record Reservation(List<RouterState.Charge> charges, Instant expires) {}

    private final Map<String, Failures> failures = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, ArrayDeque<Double>> scores = new HashMap<>();
    private final Map<String, Counter> counters = new HashMap<>();
    private final Map<String, Reservation> reservations = new HashMap<>();

    @Override
    public Map<String, Instant> cooling(Instant now) {
        if (failures.isEmpty()) {
            return Map.of();
        }
        Map<String, Instant> out = new TreeMap<>();
        failures.forEach((model, f) -> {
            if (f.until.isAfter(now)) {
                out.put(model, f.until);
            }
        });
        return out;
    }

    @Override
    public Optional<Instant> failure(String model, int afterFailures, Duration length, Instant now) {
        Failures next = failures.compute(model, (m, old) -> {
            Failures was = old == null ? new Failures(0, Instant.MIN) : old;
            return was.count + 1 >= afterFailures
                    ? new Failures(0, now.plus(length))
                    : new Failures(was.count + 1, was.until);
        });
        return next.count == 0 ? Optional.of(next.until) : Optional.empty();
    }

    @Override
    public void success(String model, Instant now) {
        if (!failures.isEmpty()) {
            failures.computeIfPresent(model, (m, old) -> old.until.isAfter(now) ? new Failures(0, old.until) : null);
        }
    }

    @Override
    public synchronized void observe(String route, double score, int window) {
        ArrayDeque<Double> kept = scores.computeIfAbsent(route, r -> new ArrayDeque<>());
        kept.addLast(score);
        while (kept.size() > window) {
            kept.removeFirst();
        }
    }

    @Override
    public synchronized double[] recent(String route, int window) {
        ArrayDeque<Double> kept = scores.get(route);
        if (kept == null) {
            return new double[0];
        }
        int skip = Math.max(0, kept.size() - window);
        return kept.stream().skip(skip).mapToDouble(Double::doubleValue).toArray();
    }

    @Override
    public synchronized long[] used(List<String> keys, Instant now) {
        expire(now);
        long[] out = new long[keys.size()];
        for (int i = 0; i < out.length; i++) {
            Counter c = counters.get(keys.get(i));
            out[i] = c == null ? 0 : c.used;
        }
        return out;
    }

    @Override
    public synchronized int reserve(String id, List<RouterState.Charge> charges, Instant now, Instant expires) {
        expire(now);
        Map<String, Long> after = new HashMap<>();
        for (RouterState.Charge c : charges) {
            after.merge(c.counter(), c.amount(), Math::addExact);
        }
        for (int i = 0; i < charges.size(); i++) {
            RouterState.Charge c = charges.get(i);
            if (c.amount() > 0 && usedAfter(c.counter(), after) > limit(c, after)) {
                return i;
            }
        }
        for (RouterState.Charge c : charges) {
            add(c.counter(), c.amount(), c.keepUntil());
        }
        reservations.put(id, new Reservation(List.copyOf(charges), expires));
        return -1;
    }

    private long usedAfter(String key, Map<String, Long> charged) {
        Counter c = counters.get(key);
        return (c == null ? 0 : c.used) + charged.getOrDefault(key, 0L);
    }

    private long limit(RouterState.Charge c, Map<String, Long> charged) {
        return c.shareOf().isEmpty()
                ? c.limit()
                : (long) Math.floor(c.share() * usedAfter(c.shareOf().get(), charged));
    }

    @Override
    public synchronized void settle(String id, List<RouterState.Charge> actual, Instant now) {
        Reservation r = reservations.remove(id);
        if (r != null) {
            for (RouterState.Charge c : r.charges) {
                add(c.counter(), -c.amount(), c.keepUntil());
            }
        }
        for (RouterState.Charge c : actual) {
            add(c.counter(), c.amount(), c.keepUntil());
        }
        expire(now);
    }

    private void add(String key, long amount, Instant keepUntil) {
        Counter old = counters.get(key);
        long used = (old == null ? 0 : old.used) + amount;
        Instant keep = old == null || keepUntil.isAfter(old.keepUntil) ? keepUntil : old.keepUntil;
        counters.put(key, new Counter(used, keep));
    }

    /** Releases reservations past their expiry and drops counters of windows long over. */
    private void expire(Instant now) {
        for (Iterator<Reservation> it = reservations.values().iterator(); it.hasNext(); ) {
            Reservation r = it.next();
            if (!r.expires.isAfter(now)) {
                it.remove();
                for (RouterState.Charge c : r.charges) {
                    add(c.counter(), -c.amount(), c.keepUntil());
                }
            }
        }
        counters.values().removeIf(c -> !c.keepUntil.isAfter(now));
    }
}
