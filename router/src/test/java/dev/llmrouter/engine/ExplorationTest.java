package dev.llmrouter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.classify.Intents;
import dev.llmrouter.config.Documents;
import dev.llmrouter.config.InvalidConfigException;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.provider.ScriptedProvider;
import dev.llmrouter.provider.StreamSink;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.DecisionTrace.ExplorationView;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A route's {@code explore}: a hashed share of its requests also calls a model of another tier, drawn uniformly,
 * with its propensity in the trace; shadow mode serves the routed answer and gates the explored one aside,
 * serve mode starts at the explored model; a cost cap stops it.
 */
class ExplorationTest {
    static Policy policy(String explore) {
        return PolicyLoader.admit(
                Documents.parse(
                        "id: t\nversion: 1\nroutes:\n  - name: all\n    cascade: {enabled: true, quality_floor: 0.7}\n"
                                + "    explore: " + explore,
                        "policy"),
                "policy",
                Fixtures.catalog(),
                Set.copyOf(Intents.DEFAULT));
    }

    static Router router(Policy policy, ScriptedProvider provider, FakeClock clock) {
        return Fixtures.router(policy, new FixedClassifier(Scenario.EASY), provider, clock);
    }

    static final ChatRequest REQUEST = ChatRequest.ofPrompt("Please summarise the notes of the weekly meeting.");

    @Test
    void aHashedShareOfRequestsExploresAModelOfAnotherTierWithItsPropensity() {
        FakeClock clock = new FakeClock();
        Router router = router(policy("{share: 0.3, mode: shadow}"), new ScriptedProvider(clock), clock);
        int explored = 0;
        Map<String, Integer> models = new TreeMap<>();
        for (int i = 0; i < 2000; i++) {
            DecisionTrace trace = router.route(REQUEST, Target.AUTO, StreamSink.discarding(), "t-" + i)
                    .trace();
            ExplorationView view = trace.exploration().orElseThrow();
            assertEquals("shadow", view.mode());
            assertEquals("small-a", trace.attempts().get(0).model(), "shadow: the routed model serves");
            if (view.model().isPresent()) {
                explored++;
                models.merge(view.model().get(), 1, Integer::sum);
                // tier 1 starts; the other tiers' models are mid, big, big-eu
                assertEquals(3, view.candidates());
                assertEquals(0.1, view.propensity().orElseThrow(), 1e-12);
            }
        }
        // the draw is the trace id's: another router draws the same for the same ids
        Router again = router(policy("{share: 0.3, mode: shadow}"), new ScriptedProvider(clock), clock);
        for (int i = 0; i < 50; i++) {
            String id = "t-" + i;
            assertEquals(
                    router.route(REQUEST, Target.AUTO, StreamSink.discarding(), id)
                            .trace()
                            .exploration(),
                    again.route(REQUEST, Target.AUTO, StreamSink.discarding(), id)
                            .trace()
                            .exploration());
        }
        assertEquals(0.3, explored / 2000.0, 0.04, "the share");
        assertEquals(Set.of("mid", "big", "big-eu"), models.keySet());
        models.values().forEach(n -> assertEquals(1.0 / 3, n / (double) 600, 0.08));
    }

    @Test
    void shadowModeGatesTheExploredAnswerAsideAndServeModeStartsWithIt() {
        FakeClock clock = new FakeClock();
        ScriptedProvider provider = new ScriptedProvider(clock);
        Router shadow = router(policy("{share: 0.5, mode: shadow}"), provider, clock);
        DecisionTrace routed = null;
        for (int i = 0; routed == null; i++) {
            DecisionTrace t = shadow.route(REQUEST, Target.AUTO, StreamSink.discarding(), "s-" + i)
                    .trace();
            if (t.exploration().orElseThrow().model().isPresent()) {
                routed = t;
            }
        }
        String model = routed.exploration().get().model().get();
        assertFalse(routed.attempts().stream().anyMatch(a -> a.model().equals(model)), "not called while routing");
        ExploredAnswer answer = shadow.explore(REQUEST, routed).orElseThrow();
        assertEquals(model, answer.model());
        assertEquals(routed.traceId(), answer.traceId());
        assertTrue(answer.gate().isPresent(), "its answer is gated");
        assertTrue(answer.costUsd() > 0);
        assertEquals(model, provider.calledModels().get(provider.calledModels().size() - 1));

        Router serve = router(policy("{share: 0.5, mode: serve}"), provider, clock);
        int explored = 0;
        for (int i = 0; i < 40; i++) {
            DecisionTrace t = serve.route(REQUEST, Target.AUTO, StreamSink.discarding(), "v-" + i)
                    .trace();
            ExplorationView view = t.exploration().orElseThrow();
            if (view.model().isPresent()) {
                explored++;
                assertEquals(view.model().get(), t.attempts().get(0).model(), "serve: it starts the request");
                assertTrue(serve.explore(REQUEST, t).isEmpty(), "nothing more to call aside");
            } else {
                assertEquals("small-a", t.attempts().get(0).model());
            }
        }
        assertTrue(explored > 5 && explored < 35, "explored " + explored);
    }

    @Test
    void theCostCapStopsExploringForTheHour() {
        FakeClock clock = new FakeClock();
        Router router = router(
                policy("{share: 0.5, mode: serve, max_cost_per_hour: 0.000001}"), new ScriptedProvider(clock), clock);
        int explored = 0;
        int capped = 0;
        for (int i = 0; i < 60; i++) {
            ExplorationView view = router.route(REQUEST, Target.AUTO, StreamSink.discarding(), "c-" + i)
                    .trace()
                    .exploration()
                    .orElseThrow();
            explored += view.model().isPresent() ? 1 : 0;
            capped += view.skipped().filter("cost_cap"::equals).isPresent() ? 1 : 0;
        }
        assertEquals(1, explored, "the first explored call spends the cap");
        assertTrue(capped > 10, "the rest of the draws are skipped: " + capped);
        clock.advance(java.time.Duration.ofMinutes(61));
        int after = 0;
        for (int i = 0; i < 20; i++) {
            after += router.route(REQUEST, Target.AUTO, StreamSink.discarding(), "d-" + i)
                            .trace()
                            .exploration()
                            .orElseThrow()
                            .model()
                            .isPresent()
                    ? 1
                    : 0;
        }
        assertEquals(1, after, "an hour later it explores again, once");
    }

    @Test
    void offByDefaultAndAdmittedLikeEveryVerb() {
        FakeClock clock = new FakeClock();
        DecisionTrace plain = Fixtures.router(
                        Fixtures.policy(), new FixedClassifier(Scenario.EASY), new ScriptedProvider(clock), clock)
                .route(REQUEST, Target.AUTO, StreamSink.discarding(), "x")
                .trace();
        assertTrue(plain.exploration().isEmpty());
        InvalidConfigException share = assertThrows(InvalidConfigException.class, () -> policy("{share: 0.9}"));
        assertTrue(
                share.getMessage().contains("routes[0].explore.share: must be between 0 and 0.5"), share.getMessage());
        InvalidConfigException mode =
                assertThrows(InvalidConfigException.class, () -> policy("{share: 0.1, mode: always}"));
        assertTrue(
                mode.getMessage().contains("unknown exploration mode 'always' (known: shadow, serve)"),
                mode.getMessage());
        InvalidConfigException missing = assertThrows(InvalidConfigException.class, () -> policy("{mode: serve}"));
        assertTrue(missing.getMessage().contains("routes[0].explore.share: required"), missing.getMessage());
        assertNotEquals(policy("{share: 0.1}").hash(), policy("{share: 0.2}").hash(), "part of the policy's hash");
    }
}
