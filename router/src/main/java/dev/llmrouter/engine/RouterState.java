package dev.llmrouter.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a router remembers between requests: the models' cooldowns, the gate scores the escalation-rate
 * controller reads, and the budgets' counters. One router process keeps it in memory ({@link #inMemory()});
 * replicas share one implementation backed by a store (the server's Redis state), so that they behave as one
 * router. Every method is atomic on its own; {@link #reserve} is atomic over all its charges.
 */
public interface RouterState extends AutoCloseable {
    /** The models cooling down at {@code now}, each with the end of its cooldown. */
    Map<String, Instant> cooling(Instant now);

    /**
     * Counts a failure of {@code model}; when it is the {@code afterFailures}-th in a row, a cooldown of
     * {@code length} starts, and its end is returned.
     */
    Optional<Instant> failure(String model, int afterFailures, Duration length, Instant now);

    /** An answer from {@code model} ends its run of failures (not a cooldown in force). */
    void success(String model, Instant now);

    /** Records a gate score on {@code route}, keeping the last {@code window}. */
    void observe(String route, double score, int window);

    /** Up to the last {@code window} gate scores of {@code route}, oldest first. */
    double[] recent(String route, int window);

    /**
     * Each counter's amount in use at {@code now}: settled plus reserved (reservations that expired are
     * released first). A counter never charged is 0.
     */
    long[] used(List<String> counters, Instant now);

    /**
     * {@link #used} as the planner reads it: a shared store may answer from a reading a fraction of a second old
     * (the reservation before each call is what holds a limit exactly).
     */
    default long[] recentlyUsed(List<String> counters, Instant now) {
        return used(counters, now);
    }

    /**
     * Adds every charge to its counter as a reservation named {@code id}, or none of them: returns -1 when
     * reserved, else the index of the first charge whose limit the reservation would break. A reservation
     * not settled by {@code expires} is released.
     */
    int reserve(String id, List<Charge> charges, Instant now, Instant expires);

    /**
     * Replaces reservation {@code id} by what the call actually used ({@code actual}, by counter; counters
     * left out settle at 0). A reservation that expired already counts {@code actual} alone.
     */
    void settle(String id, List<Charge> actual, Instant now);

    /** Whether the shared store answers (always, in memory); a replica that lost it says so here. */
    default boolean connected() {
        return true;
    }

    /** How many router processes share this state, as far as it knows (1 in memory). */
    default int replicas() {
        return 1;
    }

    @Override
    default void close() {}

    /** One router's state in this process's memory. */
    static RouterState inMemory() {
        return new MemoryState();
    }

    /**
     * An amount to add to a counter and its limit: the counter's amount in use, this charge included, may not
     * exceed {@code limit} or, when {@code shareOf} names another counter, {@code share} of that counter's
     * amount in use (this reservation's charge to it included). A charge of 0 never breaks its limit.
     *
     * @param counter the counter's key; it holds one budget's window, so it is dropped after {@code keepUntil}
     * @param amount nano-USD, or a count of requests
     */
    record Charge(String counter, long amount, long limit, Optional<String> shareOf, double share, Instant keepUntil) {
        public static Charge capped(String counter, long amount, long limit, Instant keepUntil) {
            return new Charge(counter, amount, limit, Optional.empty(), 0, keepUntil);
        }

        public static Charge counted(String counter, long amount, Instant keepUntil) {
            return capped(counter, amount, Long.MAX_VALUE, keepUntil);
        }

        public static Charge shareOf(String counter, long amount, String of, double share, Instant keepUntil) {
            return new Charge(counter, amount, Long.MAX_VALUE, Optional.of(of), share, keepUntil);
        }
    }
}
