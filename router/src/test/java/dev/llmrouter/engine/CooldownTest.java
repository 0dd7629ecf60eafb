package dev.llmrouter.engine;

import static dev.llmrouter.engine.Scenario.scenario;
import static dev.llmrouter.provider.ScriptedProvider.answer;
import static dev.llmrouter.provider.ScriptedProvider.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmrouter.provider.ErrorKind;
import dev.llmrouter.provider.ScriptedProvider;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.DecisionTrace.CandidateView;
import dev.llmrouter.trace.DecisionTrace.CooldownView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A model that keeps failing is cooled down for later requests on the same router (3 failures, 30 s). */
class CooldownTest {
    private final FakeClock clock = new FakeClock();
    private final Scenario plain = scenario("plain");

    private List<DecisionTrace> routeTimes(Router router, int n) {
        List<DecisionTrace> traces = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            traces.add(router.route(plain.request()).trace());
        }
        return traces;
    }

    private static ScriptedProvider failing(FakeClock clock, int times) {
        ScriptedProvider provider = new ScriptedProvider(clock);
        for (int i = 0; i < times; i++) {
            provider.script("small-a", failure(ErrorKind.SERVER_ERROR, 500));
        }
        return provider;
    }

    @Test
    void modelFailingThreeTimesInARowAcrossRequestsIsSkippedByTheNextRequest() {
        ScriptedProvider provider = failing(clock, 3);
        Router router = plain.router(provider, clock);

        List<DecisionTrace> first3 = routeTimes(router, 3);
        int callsBefore = provider.calls().size();
        DecisionTrace fourth = router.route(plain.request()).trace();

        assertEquals(List.of(), first3.get(0).cooldowns());
        assertEquals(List.of(), first3.get(1).cooldowns());
        // each request: small-a fails after 50 ms, small-b answers after 200 ms; the third failure is at 0.55 s
        assertEquals(
                List.of(new CooldownView("small-a", "2026-01-01T00:00:30.550Z", 3)),
                first3.get(2).cooldowns());
        assertEquals(
                List.of("small-b"),
                provider.calledModels().subList(callsBefore, provider.calls().size()));
        assertEquals(Optional.of("small-b"), fourth.start());
        CandidateView smallA = RefusalTest.candidates(fourth).get("small-a");
        assertEquals(Optional.of("cooldown"), smallA.rejectedBy());
        assertEquals(Optional.of("cooling_down"), smallA.reason());
        assertEquals(Map.of("until", "2026-01-01T00:00:30.550Z"), smallA.values());
        assertEquals(List.of("start"), RouterDecisionTableTest.roles(fourth));
    }

    @Test
    void aCooldownOutlivesAPolicyReload() {
        ScriptedProvider provider = failing(clock, 3);
        Router router = plain.router(provider, clock);
        routeTimes(router, 3);

        Router reloaded = router.withPolicy(router.policy());
        DecisionTrace after = reloaded.route(plain.request()).trace();

        assertEquals(Optional.of("small-b"), after.start());
        assertEquals(
                Optional.of("cooldown"),
                RefusalTest.candidates(after).get("small-a").rejectedBy());
        assertEquals(router.catalog(), reloaded.catalog());
        assertEquals(router.classifier(), reloaded.classifier());
    }

    @Test
    void cooledModelReturnsWhenItsCooldownEnds() {
        ScriptedProvider provider = failing(clock, 3);
        Router router = plain.router(provider, clock);
        routeTimes(router, 3);

        clock.advance(Duration.ofSeconds(30));
        DecisionTrace after = router.route(plain.request()).trace();

        assertEquals(Optional.of("small-a"), after.servedBy());
        assertEquals(true, RefusalTest.candidates(after).get("small-a").passed());
    }

    @Test
    void oneSuccessResetsTheCountOfConsecutiveFailures() {
        ScriptedProvider provider = new ScriptedProvider(clock)
                .script(
                        "small-a",
                        failure(ErrorKind.SERVER_ERROR, 500),
                        failure(ErrorKind.SERVER_ERROR, 500),
                        answer("fine"),
                        failure(ErrorKind.SERVER_ERROR, 500));
        Router router = plain.router(provider, clock);

        List<DecisionTrace> traces = routeTimes(router, 5);

        traces.forEach(t -> assertEquals(List.of(), t.cooldowns()));
        assertEquals(Optional.of("small-a"), traces.get(4).start());
        assertEquals(Optional.of("small-a"), traces.get(4).servedBy());
    }

    @Test
    void explainNeitherCountsNorResetsFailures() {
        ScriptedProvider provider = failing(clock, 3);
        Router router = plain.router(provider, clock);
        routeTimes(router, 2);

        for (int i = 0; i < 5; i++) {
            assertEquals(Optional.of("small-a"), router.explain(plain.request()).start());
        }
        DecisionTrace third = router.route(plain.request()).trace();

        assertEquals(1, third.cooldowns().size());
        assertEquals("small-a", third.cooldowns().getFirst().model());
    }
}
