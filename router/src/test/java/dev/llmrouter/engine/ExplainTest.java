package dev.llmrouter.engine;

import static dev.llmrouter.engine.Scenario.scenario;
import static dev.llmrouter.provider.ScriptedProvider.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.provider.ErrorKind;
import dev.llmrouter.provider.ScriptedProvider;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.DecisionTrace.Outcome;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** explain() runs the same decision path up to the first call and calls no model. */
class ExplainTest {
    private final FakeClock clock = new FakeClock();

    @Test
    void explainCallsNoModelAndNamesTheStart() {
        Scenario s = scenario("explain").script("small-a", failure(ErrorKind.SERVER_ERROR, 500));
        ScriptedProvider provider = s.provider(clock);
        Router router = s.router(provider, clock);

        DecisionTrace trace = router.explain(s.request());

        assertEquals(List.of(), provider.calls());
        assertEquals(List.of(), clock.sleeps());
        assertEquals(Outcome.EXPLAINED, trace.outcome());
        assertEquals(Optional.of("small-a"), trace.start());
        assertEquals(List.of("small-a", "small-b", "mid", "big-eu", "big"), trace.ranking());
        assertEquals(List.of(), trace.attempts());
        assertEquals(Optional.empty(), trace.servedBy());
        assertEquals(0.0, trace.totalCostUsd());
        assertTrue(trace.candidates().stream().allMatch(DecisionTrace.CandidateView::passed));
        // the scripted failure was not consumed: it is still waiting for the first real call
        router.route(s.request());
        assertEquals(List.of("small-a", "small-b"), provider.calledModels());
    }

    @Test
    void explainAndRouteAgreeOnRouteRankingAndStart() {
        Scenario s = scenario("pinned").app("pinned");
        ScriptedProvider provider = s.provider(clock);
        Router router = s.router(provider, clock);

        DecisionTrace explained = router.explain(s.request());
        DecisionTrace routed = router.route(s.request()).trace();

        assertEquals(Optional.of("pinned"), explained.route());
        assertEquals(Optional.of("mid"), explained.start());
        assertEquals(routed.route(), explained.route());
        assertEquals(routed.ranking(), explained.ranking());
        assertEquals(routed.start(), explained.start());
        assertEquals(routed.candidates(), explained.candidates());
        assertEquals(routed.classification(), explained.classification());
    }
}
