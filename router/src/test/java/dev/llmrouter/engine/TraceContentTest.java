package dev.llmrouter.engine;

import static dev.llmrouter.engine.Scenario.scenario;
import static dev.llmrouter.provider.ScriptedProvider.failure;
import static dev.llmrouter.provider.ScriptedProvider.rateLimited;
import static dev.llmrouter.provider.ScriptedProvider.truncated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.gate.HeuristicAnswerGate;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.provider.ErrorKind;
import dev.llmrouter.provider.ScriptedProvider;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.DecisionTrace.AttemptView;
import dev.llmrouter.trace.DecisionTrace.ErrorView;
import dev.llmrouter.trace.DecisionTrace.GateView;
import dev.llmrouter.trace.TraceJson;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the decision trace records about a routed request, beyond who served it. */
class TraceContentTest {
    private final FakeClock clock = new FakeClock();

    private DecisionTrace route(Scenario s) {
        ScriptedProvider provider = s.provider(clock);
        return s.router(provider, clock).route(s.request()).trace();
    }

    @Test
    void everyProviderErrorKindHasATraceKindOfTheSameName() {
        for (ErrorKind kind : ErrorKind.values()) {
            DecisionTrace.FailureKind traced = TraceRecorder.failureKind(kind);
            assertEquals(kind.key(), traced.key());
            assertEquals(traced, DecisionTrace.FailureKind.fromKey(kind.key()));
        }
    }

    @Test
    void gateVerdictsAreEscalateUntilTheLastTierThenFinal() {
        DecisionTrace trace = route(scenario("all truncated")
                .script("small-a", truncated("a"))
                .script("mid", truncated("b"))
                .script("big-eu", truncated("c")));

        List<GateView> gates =
                trace.attempts().stream().map(a -> a.gate().orElseThrow()).toList();
        GateView rejected = new GateView(0.2, 0.5, DecisionTrace.Verdict.ESCALATE, List.of("truncated"));
        assertEquals(
                List.of(rejected, rejected, new GateView(0.2, 0.5, DecisionTrace.Verdict.FINAL, List.of("truncated"))),
                gates);
        assertEquals(Optional.of("big-eu"), trace.servedBy());
    }

    @Test
    void escalationReasonsNameBothModelsTheScoreAndTheChecksThatFired() {
        DecisionTrace trace = route(
                scenario("escalate").script("small-a", truncated("a")).script("mid", ScriptedProvider.answer("")));

        assertEquals(
                List.of(
                        "small-a -> mid: gate score 0.200 < 0.5 [truncated]",
                        "mid -> big-eu: gate score 0.000 < 0.5 [empty]"),
                trace.escalationReasons());
        assertEquals(true, trace.escalated());
    }

    @Test
    void acceptedAnswerRecordsItsGateScoreTokensCostAndLatency() {
        DecisionTrace trace = route(scenario("plain"));

        AttemptView attempt = trace.attempts().getFirst();
        assertEquals(1, attempt.n());
        assertEquals("small-a", attempt.model());
        assertEquals(200.0, attempt.latencyMs(), "the scripted latency, measured on the fake clock");
        assertEquals(100, attempt.inputTokens());
        assertEquals(50, attempt.outputTokens());
        assertEquals(0.00003, attempt.costUsd(), 1e-12); // (100 x 0.10 + 50 x 0.40) / 1e6
        assertEquals(
                Optional.of(new GateView(0.75, 0.5, DecisionTrace.Verdict.ACCEPT, List.of("no_check_failed"))),
                attempt.gate());
        assertEquals(Optional.empty(), attempt.error());
        assertEquals(attempt.costUsd(), trace.totalCostUsd());
    }

    @Test
    void failedAttemptRecordsItsErrorAndCostsNothing() {
        DecisionTrace trace = route(scenario("429").script("small-a", rateLimited(Duration.ofMillis(1500))));

        AttemptView failed = trace.attempts().getFirst();
        assertEquals(
                Optional.of(new ErrorView(
                        DecisionTrace.FailureKind.RATE_LIMITED,
                        Optional.of(429),
                        "scripted rate_limited from small-a",
                        Optional.of(1500L))),
                failed.error());
        assertEquals(0.0, failed.costUsd());
        assertEquals(10.0, failed.latencyMs());
        assertEquals(Optional.empty(), failed.gate());
        assertEquals(List.of(Duration.ofMillis(1500)), clock.sleeps());
        assertEquals(
                List.of(1, 2), trace.attempts().stream().map(AttemptView::n).toList());
    }

    @Test
    void totalCostAddsEveryAnsweredAttempt() {
        DecisionTrace trace = route(scenario("escalated").script("small-a", truncated("a")));

        // small-a (100 x 0.10 + 50 x 0.40) / 1e6 + mid (100 x 1 + 50 x 4) / 1e6
        assertEquals(0.00033, trace.totalCostUsd(), 1e-12);
    }

    @Test
    void exhaustedAttemptsEndWithAnErrorNamingTheLimitAndTheRoute() {
        Scenario s = scenario("all fail")
                .script("small-a", failure(ErrorKind.SERVER_ERROR, 500))
                .script("small-b", failure(ErrorKind.SERVER_ERROR, 500))
                .script("mid", failure(ErrorKind.SERVER_ERROR, 500))
                .script("big-eu", failure(ErrorKind.SERVER_ERROR, 500));
        RouteResult result = s.router(s.provider(clock), clock).route(s.request());

        RouteResult.Failed failed = assertInstanceOf(RouteResult.Failed.class, result);
        assertEquals(
                Optional.of("max_attempts 4 of route default used up; last error: server_error: scripted server_error"
                        + " from big-eu"),
                failed.trace().error());
        assertEquals(4, failed.trace().attempts().size());
        assertEquals("scripted server_error from big-eu", failed.lastFailure().getMessage());
    }

    @Test
    void errorKindTheRouteDoesNotMoveOnIsNamedInTheError() {
        Scenario s = scenario("narrow")
                .policy("extra-routes-policy.yaml")
                .app("narrow")
                .script("small-a", failure(ErrorKind.TIMEOUT, 504));
        RouteResult result = s.router(s.provider(clock), clock).route(s.request());

        assertEquals(
                Optional.of("route narrow does not move on timeout: timeout: scripted timeout from small-a"),
                result.trace().error());
    }

    @Test
    void runningOutOfModelsToFallBackToIsNamedInTheError() {
        Scenario s = scenario("confidential")
                .risk("confidential")
                .script("small-b", failure(ErrorKind.SERVER_ERROR, 500))
                .script("big-eu", failure(ErrorKind.OVERLOADED, 503));
        RouteResult result = s.router(s.provider(clock), clock).route(s.request());

        RouteResult.Failed failed = assertInstanceOf(RouteResult.Failed.class, result);
        assertEquals(
                Optional.of("no model left to fall back to; last error: overloaded: scripted overloaded from big-eu"),
                failed.trace().error());
        assertEquals(ErrorKind.OVERLOADED, failed.lastFailure().kind());
    }

    @Test
    void traceIdentifiesPolicyCatalogClassifierGateAndRequest() {
        Scenario s = scenario("ids").app("capped").maxTokens(300).withTools();
        DecisionTrace trace = route(s);

        Policy policy = Fixtures.policy();
        Catalog catalog = Fixtures.catalog();
        assertEquals(DecisionTrace.SCHEMA, trace.schema());
        assertEquals("trace-1", trace.traceId());
        assertEquals("2026-01-01T00:00:00Z", trace.timestamp());
        assertEquals(new DecisionTrace.PolicyRef("test", 7, policy.hash()), trace.policy());
        assertEquals(catalog.hash(), trace.catalogHash());
        assertEquals(
                new FixedClassifier(Scenario.EASY).info().id(),
                trace.classifier().id());
        assertEquals(new HeuristicAnswerGate().info().id(), trace.gate().id());
        assertEquals(
                new DecisionTrace.RequestView(
                        3 + 4 + (s.request().lastUserText().length() + 3) / 4,
                        Optional.of(300),
                        false,
                        List.of("tools"),
                        1,
                        Map.of("app", "capped"),
                        0),
                trace.request());
        assertEquals("standard", trace.riskClass());
        assertEquals(Optional.of("capped"), trace.route());
        assertEquals("knowledge", trace.classification().orElseThrow().topIntent());
        assertEquals(
                Map.of("1", 0.9, "2", 0.95, "3", 0.97),
                trace.classification().orElseThrow().successByTier());
    }

    @Test
    void aTraceKeepsTheCallersFreeFieldsWithinCaps() {
        Scenario s = scenario("huge metadata").risk("r".repeat(900_000)).metadata("a-note", "v".repeat(900_000));
        for (int i = 0; i < 100; i++) {
            s.metadata("k" + i, "value " + i);
        }
        s.metadata("x".repeat(200), "long key");
        DecisionTrace trace = route(s);

        Map<String, String> kept = trace.request().metadata();
        assertEquals(CallerFields.MAX_ENTRIES, kept.size());
        assertTrue(kept.keySet().stream().allMatch(k -> k.length() <= CallerFields.MAX_KEY_CHARS), kept.toString());
        assertTrue(kept.values().stream().allMatch(v -> v.length() <= CallerFields.MAX_VALUE_CHARS), kept.toString());
        assertEquals(102 - CallerFields.MAX_ENTRIES + 1, trace.request().metadataCapped(), "left out, and a-note cut");
        assertTrue(trace.riskClass().length() <= CallerFields.MAX_VALUE_CHARS);
        String json = TraceJson.toJson(trace);
        assertTrue(json.length() < 30_000, "a trace line stays small: " + json.length() + " characters");
        assertTrue(json.contains("\"metadata_capped\":71"), json);
    }

    @Test
    void traceIdsComeFromTheSupplierOnePerRequest() {
        Scenario s = scenario("ids");
        Router router = s.router(s.provider(clock), clock);

        assertEquals("trace-1", router.route(s.request()).trace().traceId());
        assertEquals("trace-2", router.explain(s.request()).traceId());
        assertEquals("trace-3", router.route(s.request()).trace().traceId());
    }
}
