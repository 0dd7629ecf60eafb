package dev.llmrouter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.Intents;
import dev.llmrouter.config.Documents;
import dev.llmrouter.config.InvalidConfigException;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.provider.ScriptedProvider;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.trace.DecisionTrace;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A route's {@code unfamiliar_below}: requests unlike the training data start one tier higher. */
class UnfamiliarTest {
    static Policy policy(String cascade) {
        return PolicyLoader.admit(
                Documents.parse("id: t\nversion: 1\nroutes:\n  - name: all\n    cascade: " + cascade, "policy"),
                "policy",
                Fixtures.catalog(),
                Set.copyOf(Intents.DEFAULT));
    }

    /** Easy for every tier (the floor picks tier 1), with the given familiarity. */
    static Classification easy(double familiarity) {
        Classification c = Scenario.EASY;
        return new Classification(
                c.intents(), c.successByTier(), OptionalDouble.empty(), Map.of(), OptionalDouble.of(familiarity));
    }

    static DecisionTrace explain(Policy policy, Classification classification) {
        FakeClock clock = new FakeClock();
        Router router =
                Fixtures.router(policy, new FixedClassifier(classification), new ScriptedProvider(clock), clock);
        return router.explain(ChatRequest.ofPrompt("Please summarise the notes of the weekly meeting."));
    }

    @Test
    void anUnfamiliarRequestStartsOneTierHigherAndTheTraceSaysWhy() {
        Policy policy = policy("{enabled: true, quality_floor: 0.7, unfamiliar_below: 0.5}");
        DecisionTrace familiar = explain(policy, easy(0.8));
        assertEquals("small-a", familiar.start().orElseThrow());
        assertFalse(familiar.classification().orElseThrow().unfamiliar());
        assertEquals(0.8, familiar.classification().orElseThrow().familiarity().orElseThrow(), 1e-9);

        DecisionTrace unfamiliar = explain(policy, easy(0.3));
        assertEquals("mid", unfamiliar.start().orElseThrow());
        assertTrue(unfamiliar.classification().orElseThrow().unfamiliar());
    }

    @Test
    void theTraceGivesTheProbabilityOfAnEasyRequestAndKeepsItWhenTheStartMovesUp() {
        Classification c = Scenario.EASY;
        Policy policy = policy("{enabled: true, quality_floor: 0.7, unfamiliar_below: 0.5}");
        DecisionTrace unfamiliar = explain(
                policy,
                new Classification(
                        c.intents(), c.successByTier(), OptionalDouble.empty(), Map.of(), 0.9, OptionalDouble.of(0.3)));
        assertTrue(unfamiliar.classification().orElseThrow().unfamiliar());
        assertEquals(0.9, unfamiliar.classification().orElseThrow().easy().orElseThrow(), 1e-9);
        // a classifier without an easy model leaves it out
        assertTrue(
                explain(policy, easy(0.8)).classification().orElseThrow().easy().isEmpty());
    }

    @Test
    void offByDefaultAndWithoutAFamiliarity() {
        assertEquals(
                "small-a",
                explain(policy("{enabled: true, quality_floor: 0.7}"), easy(0.01))
                        .start()
                        .orElseThrow());
        DecisionTrace heuristic = explain(policy("{enabled: true, unfamiliar_below: 0.9}"), Scenario.EASY);
        assertEquals("small-a", heuristic.start().orElseThrow());
        assertTrue(heuristic.classification().orElseThrow().familiarity().isEmpty());
    }

    @Test
    void theThresholdIsAdmittedLikeEveryOtherNumber() {
        InvalidConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                InvalidConfigException.class, () -> policy("{enabled: true, unfamiliar_below: 1.5}"));
        assertTrue(e.getMessage().contains("unfamiliar_below"), e.getMessage());
    }
}
