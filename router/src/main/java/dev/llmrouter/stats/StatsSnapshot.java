package dev.llmrouter.stats;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures of a window, as {@code GET /admin/stats} and {@code llm-router stats --json} write them: totals
 * by route, model and provider, and a value a minute for the charts. Rates are shares of requests; a figure
 * with nothing to divide by is absent (null in JSON), never 0.
 *
 * @param from the window's first minute
 * @param to the end of the window
 * @param minutes the window's length in minutes
 * @param by what {@code groups} are: {@code route}, {@code intent}, {@code model} or {@code day}
 * @param groups the figures of each group
 * @param models by model: answers served, the gate's verdicts on its answers and the accept rate, and how many
 *     of the verdicts (and what share) a learned gate gave rather than the rules
 * @param providers by provider: answers served and their share
 * @param decisionMs the router's own time over the window (p50, p99), when it was measured
 * @param series a value a minute: the minutes (epoch seconds), and by group the requests, escalations,
 *     escalation rate and fallbacks, and the router's own time at p99
 * @param markers policy and classifier changes in the window
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record StatsSnapshot(
        String from,
        String to,
        long minutes,
        String by,
        Map<String, GroupStats> groups,
        Map<String, ModelStats> models,
        Map<String, ProviderStats> providers,
        Quantiles decisionMs,
        Series series,
        List<Marker> markers) {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record GroupStats(
            long requests,
            long served,
            long escalated,
            Double escalationRate,
            Map<String, Long> escalationCauses,
            long fallbackRequests,
            Double fallbackRate,
            double costUsd,
            long unsuccessful,
            Double costPerSuccessfulTaskUsd,
            long feedbacks,
            Double feedbackMean) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ModelStats(
            long served, long gated, long accepted, Double acceptRate, long learned, Double learnedShare) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ProviderStats(long served, Double share) {}

    public record Quantiles(Double p50, Double p99) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Series(List<Long> minutes, Map<String, GroupSeries> groups, List<Double> decisionP99Ms) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record GroupSeries(
            List<Long> requests, List<Long> escalated, List<Double> escalationRate, List<Long> fallbacks) {}

    /** A change: {@code kind} is {@code policy} or {@code classifier}. */
    public record Marker(String at, String kind, String text) {}

    static StatsSnapshot of(
            String by,
            TraceStats.Bucket total,
            List<Long> times,
            Map<String, List<long[]>> perGroup,
            List<Double> decisionP99,
            List<Marker> markers,
            Instant from,
            Instant to,
            long minutes) {
        Map<String, GroupStats> groups = new TreeMap<>();
        total.groups.forEach((name, r) -> groups.put(
                name,
                new GroupStats(
                        r.requests,
                        r.served,
                        r.escalated,
                        share(r.escalated, r.requests),
                        Map.copyOf(r.causes),
                        r.fallbacks,
                        share(r.fallbacks, r.requests),
                        r.costUsd,
                        r.unsuccessful,
                        r.served - r.unsuccessful <= 0 ? null : r.costUsd / (r.served - r.unsuccessful),
                        r.feedbacks,
                        r.feedbacks == 0 ? null : r.feedbackSum / r.feedbacks)));
        Map<String, ModelStats> models = new TreeMap<>();
        total.models.forEach((name, m) -> models.put(
                name,
                new ModelStats(
                        m.served,
                        m.gated,
                        m.accepted,
                        share(m.accepted, m.gated),
                        m.learned,
                        share(m.learned, m.gated))));
        long served =
                total.providers.values().stream().mapToLong(Long::longValue).sum();
        Map<String, ProviderStats> providers = new TreeMap<>();
        total.providers.forEach((name, n) -> providers.put(name, new ProviderStats(n, share(n, served))));
        Map<String, GroupSeries> series = new TreeMap<>();
        perGroup.forEach((name, points) -> series.put(
                name,
                new GroupSeries(
                        points.stream().map(p -> p[0]).toList(),
                        points.stream().map(p -> p[1]).toList(),
                        points.stream().map(p -> share(p[1], p[0])).toList(),
                        points.stream().map(p -> p[2]).toList())));
        return new StatsSnapshot(
                from.toString(),
                to.toString(),
                minutes,
                by,
                groups,
                models,
                providers,
                new Quantiles(
                        finite(TraceStats.quantile(total.decision, 0.5)),
                        finite(TraceStats.quantile(total.decision, 0.99))),
                new Series(
                        times,
                        series,
                        decisionP99.stream().map(StatsSnapshot::finite).toList()),
                markers);
    }

    private static Double share(long part, long whole) {
        return whole == 0 ? null : (double) part / whole;
    }

    private static Double finite(double d) {
        return Double.isNaN(d) ? null : d;
    }
}
