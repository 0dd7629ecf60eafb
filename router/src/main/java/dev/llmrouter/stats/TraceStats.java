package dev.llmrouter.stats;

import dev.llmrouter.gate.GateScore;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.DecisionTrace.AttemptView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The router's figures over rolling windows: one-minute buckets of routed requests (by route, or intent,
 * served model or day; and by model and provider: requests, escalations and their causes, fallbacks, gate verdicts, cost, the router's own time)
 * and of feedback, kept for {@code capacity} minutes, plus markers where the policy or classifier changed.
 * The server feeds it as requests finish ({@code GET /admin/stats}); {@code llm-router stats} feeds it from
 * trace logs; both read it through {@link #snapshot}, so both report the same figures for the same traffic.
 * Thread-safe.
 */
public final class TraceStats {
    /** Upper bounds (µs) of the router's-own-time histogram; the last bucket is everything above. */
    static final long[] MICROS = {25, 50, 100, 250, 500, 1_000, 2_000, 5_000, 10_000, 25_000, 100_000, 1_000_000};

    /** What the figures can be grouped by. */
    public static final List<String> GROUPINGS = List.of("route", "intent", "model", "day");

    private final int capacity;
    private final String by;
    private final Function<DecisionTrace, String> group;
    private final Map<Long, Bucket> buckets = new HashMap<>();
    private final List<StatsSnapshot.Marker> markers = new ArrayList<>();

    /**
     * @param capacity minutes kept (1440: a day)
     * @param by what the figures are grouped by: {@code route}, {@code intent}, {@code model} (that served) or
     *     {@code day} (of the trace's timestamp, UTC)
     */
    public TraceStats(int capacity, String by) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least one minute, got " + capacity);
        }
        this.capacity = capacity;
        this.by = by;
        this.group = switch (by) {
            case "route" -> t -> t.route().orElse("none");
            case "intent" -> t -> t.classification().map(c -> c.topIntent()).orElse("none");
            case "model" -> t -> t.servedBy().orElse("none");
            case "day" -> t -> t.timestamp().length() >= 10 ? t.timestamp().substring(0, 10) : "unknown";
            default ->
                throw new IllegalArgumentException(
                        "cannot group by '" + by + "': say one of " + String.join(", ", GROUPINGS));
        };
    }

    /** The group {@code trace} counts in (its route, intent, model or day). */
    public String groupOf(DecisionTrace trace) {
        return group.apply(trace);
    }

    /**
     * Counts one routed request finished at {@code at}, served by {@code provider} ("none" when nothing
     * served), with the router's own time when it is known (the server measures it; a trace log does not hold it).
     */
    public void add(DecisionTrace trace, Instant at, String provider, OptionalLong decisionNanos) {
        String key = group.apply(trace);
        synchronized (this) {
            Bucket b = bucket(at);
            GroupCounts r = b.groups.computeIfAbsent(key, k -> new GroupCounts());
            r.requests++;
            boolean served = trace.servedBy().isPresent();
            if (served) {
                r.served++;
                if (trace.outcome() == DecisionTrace.Outcome.SERVED_UNESCALATED) {
                    r.unsuccessful++; // the gate judged the answer not good enough and nothing better came
                }
                b.providers.merge(provider, 1L, Long::sum);
                b.models.computeIfAbsent(trace.servedBy().get(), k -> new ModelCounts()).served++;
            }
            r.costUsd += trace.totalCostUsd();
            if (trace.escalated()) {
                r.escalated++;
            }
            for (AttemptView a : trace.attempts()) {
                a.gate().ifPresent(g -> {
                    ModelCounts m = b.models.computeIfAbsent(a.model(), k -> new ModelCounts());
                    m.gated++;
                    if (g.verdict() == DecisionTrace.Verdict.ACCEPT) {
                        m.accepted++;
                    }
                    if (!GateScore.judge(g.reasons()).equals(GateScore.RULES)) {
                        m.learned++;
                    }
                });
            }
            boolean fellBack = false;
            for (AttemptSteps step : AttemptSteps.of(trace)) {
                if (step.escalation()) {
                    r.causes.merge(step.cause(), 1L, Long::sum);
                } else {
                    fellBack = true;
                }
            }
            if (fellBack) {
                r.fallbacks++;
            }
            decisionNanos.ifPresent(nanos -> b.decision[slot(nanos / 1000)]++);
        }
    }

    /**
     * Counts a caller's feedback score (0 to 1) on an answer of {@code group} (see {@link #groupOf}). A score below
     * {@link #FAILED_BELOW} on an answer that counted as a success ({@code successSoFar}: served, not the held
     * answer of a failed escalation, not rated down before) makes it unsuccessful.
     */
    public synchronized void feedback(Instant at, String group, double score, boolean successSoFar) {
        GroupCounts r = bucket(at).groups.computeIfAbsent(group, k -> new GroupCounts());
        r.feedbacks++;
        r.feedbackSum += score;
        if (successSoFar && score < FAILED_BELOW) {
            r.unsuccessful++;
        }
    }

    /**
     * A served request is a successful task unless its answer was the held one of a failed escalation (the gate
     * judged it not good enough) or a caller rated it below this.
     */
    public static final double FAILED_BELOW = 0.5;

    /** Marks a change (kind {@code policy} or {@code classifier}) at {@code at}. */
    public synchronized void marker(Instant at, String kind, String text) {
        markers.add(new StatsSnapshot.Marker(at.toString(), kind, text));
        while (markers.size() > 1000) {
            markers.removeFirst();
        }
    }

    /** The figures over the {@code window} ending at {@code now}, with a series a minute. */
    public synchronized StatsSnapshot snapshot(Instant now, Duration window) {
        long last = minute(now);
        long minutes = Math.max(1, Math.min(capacity, window.toMinutes()));
        long first = last - minutes + 1;
        Bucket total = new Bucket();
        List<Long> times = new ArrayList<>();
        Map<String, List<long[]>> perGroup = new TreeMap<>();
        List<Double> decisionP99 = new ArrayList<>();
        for (long m = first; m <= last; m++) {
            Bucket b = buckets.get(m);
            times.add(m * 60);
            Bucket current = b == null ? new Bucket() : b;
            total.merge(current);
            decisionP99.add(quantile(current.decision, 0.99));
        }
        for (long m = first; m <= last; m++) {
            Bucket b = buckets.getOrDefault(m, new Bucket());
            for (String key : total.groups.keySet()) {
                GroupCounts r = b.groups.getOrDefault(key, new GroupCounts());
                perGroup.computeIfAbsent(key, k -> new ArrayList<>())
                        .add(new long[] {r.requests, r.escalated, r.fallbacks});
            }
        }
        Instant from = Instant.ofEpochSecond(first * 60);
        List<StatsSnapshot.Marker> shown = markers.stream()
                .filter(mk -> !Instant.parse(mk.at()).isBefore(from))
                .toList();
        return StatsSnapshot.of(by, total, times, perGroup, decisionP99, shown, from, now, minutes);
    }

    private Bucket bucket(Instant at) {
        long m = minute(at);
        Bucket b = buckets.get(m);
        if (b == null) {
            b = new Bucket();
            buckets.put(m, b);
            if (buckets.size() > capacity) {
                long oldest = m - capacity;
                buckets.keySet().removeIf(k -> k <= oldest);
            }
        }
        return b;
    }

    private static long minute(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), 60);
    }

    private static int slot(long micros) {
        for (int i = 0; i < MICROS.length; i++) {
            if (micros <= MICROS[i]) {
                return i;
            }
        }
        return MICROS.length;
    }

    /** A quantile in ms from histogram counts, interpolated within its bucket; NaN without observations. */
    static double quantile(long[] counts, double q) {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        if (n == 0) {
            return Double.NaN;
        }
        double rank = q * n;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            if (seen + counts[i] >= rank && counts[i] > 0) {
                double low = i == 0 ? 0 : MICROS[i - 1];
                double high = i < MICROS.length ? MICROS[i] : MICROS[MICROS.length - 1];
                return (low + (high - low) * (rank - seen) / counts[i]) / 1000;
            }
            seen += counts[i];
        }
        return MICROS[MICROS.length - 1] / 1000.0;
    }

    /** One minute's counts. */
    static final class Bucket {
        final Map<String, GroupCounts> groups = new TreeMap<>();
        final Map<String, ModelCounts> models = new TreeMap<>();
        final Map<String, Long> providers = new TreeMap<>();
        final long[] decision = new long[MICROS.length + 1];

        void merge(Bucket other) {
            other.groups.forEach(
                    (k, v) -> groups.computeIfAbsent(k, x -> new GroupCounts()).merge(v));
            other.models.forEach(
                    (k, v) -> models.computeIfAbsent(k, x -> new ModelCounts()).merge(v));
            other.providers.forEach((k, v) -> providers.merge(k, v, Long::sum));
            for (int i = 0; i < decision.length; i++) {
                decision[i] += other.decision[i];
            }
        }
    }

    static final class GroupCounts {
        long requests;
        long served;
        long escalated;
        long fallbacks;
        double costUsd;
        long feedbacks;
        double feedbackSum;
        long unsuccessful;
        final Map<String, Long> causes = new TreeMap<>();

        void merge(GroupCounts o) {
            requests += o.requests;
            unsuccessful += o.unsuccessful;
            served += o.served;
            escalated += o.escalated;
            fallbacks += o.fallbacks;
            costUsd += o.costUsd;
            feedbacks += o.feedbacks;
            feedbackSum += o.feedbackSum;
            o.causes.forEach((k, v) -> causes.merge(k, v, Long::sum));
        }
    }

    static final class ModelCounts {
        long served;
        long gated;
        long accepted;
        long learned;

        void merge(ModelCounts o) {
            served += o.served;
            gated += o.gated;
            accepted += o.accepted;
            learned += o.learned;
        }
    }
}
