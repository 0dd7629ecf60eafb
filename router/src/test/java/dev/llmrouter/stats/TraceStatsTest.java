package dev.llmrouter.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.TraceJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Rolling one-minute windows: what lands where, what is forgotten, and the figures read from them. */
class TraceStatsTest {
    static final Instant T0 = Instant.parse("2026-12-04T10:00:10Z");

    static DecisionTrace golden(String name) throws Exception {
        return TraceJson.fromJson(Files.readString(Path.of("src/test/resources/golden", name)));
    }

    @Test
    void requestsLandInTheirMinuteAndTheWindowSumsThem() throws Exception {
        DecisionTrace escalated = golden("fallback_then_escalation.json");
        TraceStats stats = new TraceStats(60, "route");
        stats.add(escalated, T0, "acme", OptionalLong.of(80_000));
        stats.add(escalated, T0.plusSeconds(90), "acme", OptionalLong.of(3_000_000));
        stats.feedback(T0.plusSeconds(95), "default", 0.5, true);
        stats.marker(T0.plusSeconds(60), "policy", "p v2");
        StatsSnapshot s = stats.snapshot(T0.plusSeconds(120), Duration.ofMinutes(5));

        assertEquals(5, s.minutes());
        StatsSnapshot.GroupStats route = s.groups().get("default");
        assertEquals(2, route.requests());
        assertEquals(2, route.escalated());
        assertEquals(1.0, route.escalationRate());
        assertEquals(2, route.fallbackRequests());
        assertEquals(Map.of("truncated", 2L), route.escalationCauses());
        assertEquals(0.5, route.feedbackMean());
        assertEquals(2 * escalated.totalCostUsd() / 2, route.costPerSuccessfulTaskUsd(), 1e-15);
        // a caller rates one of the two down: the same cost now buys one successful task
        stats.feedback(T0.plusSeconds(100), "default", 0.2, true);
        stats.feedback(T0.plusSeconds(101), "default", 0.1, false); // the same request again: counted once
        StatsSnapshot rated = stats.snapshot(T0.plusSeconds(120), Duration.ofMinutes(5));
        assertEquals(1, rated.groups().get("default").unsuccessful());
        assertEquals(2 * escalated.totalCostUsd(), rated.groups().get("default").costPerSuccessfulTaskUsd(), 1e-15);
        assertEquals(
                List.of(0L, 0L, 1L, 1L, 0L), s.series().groups().get("default").requests());
        assertEquals(
                Arrays.asList(null, null, 1.0, 1.0, null),
                s.series().groups().get("default").escalationRate());
        assertEquals(Map.of("acme", new StatsSnapshot.ProviderStats(2, 1.0)), s.providers());
        assertEquals(1, s.markers().size());
        // one observation at 80 µs, one at 3 ms: p50 within 50-100 µs, p99 within 2-5 ms
        assertTrue(
                s.decisionMs().p50() > 0.05 && s.decisionMs().p50() <= 0.1,
                "p50 " + s.decisionMs().p50());
        assertTrue(
                s.decisionMs().p99() > 2 && s.decisionMs().p99() <= 5,
                "p99 " + s.decisionMs().p99());
    }

    @Test
    void eachModelCountsTheVerdictsALearnedGateGave() throws Exception {
        String rules = Files.readString(Path.of("src/test/resources/golden", "fallback_then_escalation.json"));
        DecisionTrace learned =
                TraceJson.fromJson(rules.replace("[ \"no_check_failed\" ]", "[ \"learned:gate-math\" ]"));
        TraceStats stats = new TraceStats(60, "route");
        stats.add(TraceJson.fromJson(rules), T0, "acme", OptionalLong.empty());
        stats.add(learned, T0, "acme", OptionalLong.empty());
        StatsSnapshot.ModelStats mid = stats.snapshot(T0.plusSeconds(60), Duration.ofMinutes(5))
                .models()
                .get("mid");
        // mid's answer was accepted twice: once by the rules, once by the math gate
        assertEquals(new StatsSnapshot.ModelStats(2, 2, 2, 1.0, 1, 0.5), mid);
    }

    @Test
    void minutesOlderThanTheCapacityAreForgottenAndEmptyRatesAreAbsent() throws Exception {
        DecisionTrace pinned = golden("explain_pinned.json");
        TraceStats stats = new TraceStats(3, "route");
        stats.add(pinned, T0, "x", OptionalLong.empty());
        stats.add(pinned, T0.plusSeconds(600), "x", OptionalLong.empty());
        StatsSnapshot s = stats.snapshot(T0.plusSeconds(600), Duration.ofHours(1));
        assertEquals(3, s.minutes(), "a window longer than the capacity is the capacity");
        assertEquals(1, s.groups().values().iterator().next().requests());
        StatsSnapshot empty = new TraceStats(10, "intent").snapshot(T0, Duration.ofMinutes(10));
        assertTrue(empty.groups().isEmpty());
        assertNull(empty.decisionMs().p99(), "no observation: no quantile, not 0");
    }

    @Test
    void groupingsAreTheKnownOnes() throws Exception {
        DecisionTrace escalated = golden("fallback_then_escalation.json");
        assertEquals("mid", new TraceStats(1, "model").groupOf(escalated));
        assertEquals(escalated.timestamp().substring(0, 10), new TraceStats(1, "day").groupOf(escalated));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TraceStats(1, "colour"));
        assertTrue(e.getMessage().contains("route, intent, model, day"), e.getMessage());
    }
}
