package dev.llmrouter.engine;

import static dev.llmrouter.engine.Scenario.HARD;
import static dev.llmrouter.engine.Scenario.scenario;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.provider.ScriptedProvider;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.DecisionTrace.CandidateView;
import dev.llmrouter.trace.DecisionTrace.Outcome;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A request no model may serve fails loudly: every model with its reason, nothing called. */
class RefusalTest {
    private final FakeClock clock = new FakeClock();

    private RouteResult.Refused refuse(Scenario s, ScriptedProvider provider) {
        RouteResult result = s.router(provider, clock).route(s.request());
        assertEquals(List.of(), provider.calls(), "no model may be called");
        assertEquals(Outcome.NO_ELIGIBLE_MODEL, result.trace().outcome());
        assertEquals(Optional.empty(), result.trace().servedBy());
        assertEquals(List.of(), result.trace().attempts());
        return assertInstanceOf(RouteResult.Refused.class, result);
    }

    @Test
    void promptLargerThanEveryContextWindowListsEveryModelWithItsReason() {
        Scenario s = scenario("huge").prompt("x".repeat(800_000));
        RouteResult.Refused refused = refuse(s, s.provider(clock));

        assertEquals(
                List.of(
                        "small-a: context_window context_too_small {context_window=8000, needed_tokens=200407,"
                                + " output_tokens=400, prompt_tokens=200007}",
                        "small-b: context_window context_too_small {context_window=16000, needed_tokens=200407,"
                                + " output_tokens=400, prompt_tokens=200007}",
                        "mid: context_window context_too_small {context_window=64000, needed_tokens=200407,"
                                + " output_tokens=400, prompt_tokens=200007}",
                        "big: context_window context_too_small {context_window=200000, needed_tokens=200407,"
                                + " output_tokens=400, prompt_tokens=200007}",
                        "big-eu: context_window context_too_small {context_window=128000, needed_tokens=200407,"
                                + " output_tokens=400, prompt_tokens=200007}"),
                refused.reasons());
        DecisionTrace trace = refused.trace();
        assertEquals(
                Optional.of("no model may serve this request: " + String.join("; ", refused.reasons())), trace.error());
        assertEquals(5, trace.candidates().size());
        for (CandidateView c : trace.candidates()) {
            assertEquals(false, c.passed(), c.model());
            assertEquals(Optional.of("context_window"), c.rejectedBy(), c.model());
            assertEquals(Optional.of("context_too_small"), c.reason(), c.model());
        }
        assertEquals(Optional.of("default"), trace.route());
        assertEquals(Optional.empty(), trace.start());
        assertEquals(List.of(), trace.ranking());
    }

    @Test
    void maxTokensOverEveryModelLimitWithClampingOffNamesEachLimit() {
        Scenario s = scenario("noclamp")
                .policy("extra-routes-policy.yaml")
                .app("noclamp")
                .maxTokens(50_000);
        RouteResult.Refused refused = refuse(s, s.provider(clock));

        assertEquals(
                List.of(
                        "small-a: context_window max_tokens_over_model_limit {max_tokens=50000, model_limit=2000}",
                        "small-b: context_window max_tokens_over_model_limit {max_tokens=50000, model_limit=4000}",
                        "mid: context_window max_tokens_over_model_limit {max_tokens=50000, model_limit=8000}",
                        "big: context_window max_tokens_over_model_limit {max_tokens=50000, model_limit=16000}",
                        "big-eu: context_window max_tokens_over_model_limit {max_tokens=50000, model_limit=8000}"),
                refused.reasons());
        assertEquals(Optional.of("noclamp"), refused.trace().route());
    }

    @Test
    void priceCeilingsRejectWithTheirReasonCodesAndComparedValues() {
        // 50,000 prompt tokens: the tier-1 windows are too small, mid's worst case costs 0.0516 USD > 0.05,
        // and both tier-3 models charge more than 5 USD per million output tokens.
        Scenario s = scenario("capped").app("capped").prompt("x".repeat(4 * (50_000 - 7)));
        RouteResult.Refused refused = refuse(s, s.provider(clock));

        Map<String, CandidateView> byModel = candidates(refused.trace());
        assertEquals(Optional.of("context_too_small"), byModel.get("small-a").reason());
        assertEquals(Optional.of("context_too_small"), byModel.get("small-b").reason());
        CandidateView mid = byModel.get("mid");
        assertEquals(Optional.of("price_ceiling"), mid.rejectedBy());
        assertEquals(Optional.of("request_cost_over_ceiling"), mid.reason());
        assertEquals(0.05, (Double) mid.values().get("ceiling"));
        assertEquals(0.0516, (Double) mid.values().get("worst_case_usd"), 1e-12);
        CandidateView big = byModel.get("big");
        assertEquals(Optional.of("price_ceiling"), big.rejectedBy());
        assertEquals(Optional.of("output_price_over_ceiling"), big.reason());
        assertEquals(Map.of("price", 20.0, "ceiling", 5.0), big.values());
        assertEquals(
                Map.of("price", 16.0, "ceiling", 5.0), byModel.get("big-eu").values());
        assertEquals(
                "big: price_ceiling output_price_over_ceiling {ceiling=5.0, price=20.0}",
                refused.reasons().get(3));
    }

    @Test
    void priceCeilingRejectionsAreRecordedEvenWhenAnotherModelServes() {
        Scenario s = scenario("capped").app("capped").classified(HARD);
        RouteResult result = s.router(s.provider(clock), clock).route(s.request());

        Map<String, CandidateView> byModel = candidates(result.trace());
        assertEquals(
                Optional.of("output_price_over_ceiling"), byModel.get("big").reason());
        assertEquals(
                Optional.of("output_price_over_ceiling"), byModel.get("big-eu").reason());
        assertTrue(byModel.get("small-a").passed());
        assertTrue(byModel.get("mid").passed());
        assertEquals(List.of("small-a", "small-b", "mid"), result.trace().ranking());
        assertEquals(Optional.of("mid"), result.trace().servedBy());
    }

    @Test
    void unknownRiskClassIsRefusedBeforeClassificationWithTheDefinedClasses() {
        Scenario s = scenario("secret").risk("secret");
        RouteResult.Refused refused = refuse(s, s.provider(clock));

        assertEquals(
                List.of("unknown risk class 'secret' (the policy defines: confidential, regulated, standard)"),
                refused.reasons());
        DecisionTrace trace = refused.trace();
        assertEquals("secret", trace.riskClass());
        assertEquals(Optional.empty(), trace.classification());
        assertEquals(Optional.empty(), trace.route());
        assertEquals(List.of(), trace.candidates());
    }

    @Test
    void riskClassRejectionsNameTheClassAndWhatItAllows() {
        Scenario confidential = scenario("confidential").risk("confidential");
        DecisionTrace trace =
                confidential.router(confidential.provider(clock), clock).explain(confidential.request());

        CandidateView smallA = candidates(trace).get("small-a");
        assertEquals(Optional.of("risk_class"), smallA.rejectedBy());
        assertEquals(Optional.of("region_not_allowed_for_risk_class"), smallA.reason());
        assertEquals(Map.of("risk_class", "confidential", "region", "us", "allowed", List.of("eu")), smallA.values());
        assertEquals(List.of("small-b", "big-eu"), trace.ranking());

        Scenario regulated = scenario("regulated").risk("regulated");
        DecisionTrace regulatedTrace =
                regulated.router(regulated.provider(clock), clock).explain(regulated.request());
        CandidateView smallB = candidates(regulatedTrace).get("small-b");
        assertEquals(Optional.of("model_not_allowed_for_risk_class"), smallB.reason());
        assertEquals(List.of("mid", "big"), regulatedTrace.ranking());
    }

    @Test
    void capabilityRejectionNamesTheMissingCapabilities() {
        Scenario s = scenario("tools+json").withTools().wantsJson();
        DecisionTrace trace = s.router(s.provider(clock), clock).explain(s.request());

        CandidateView smallB = candidates(trace).get("small-b");
        assertEquals(Optional.of("capabilities"), smallB.rejectedBy());
        assertEquals(Map.of("missing", List.of("tools")), smallB.values());
        CandidateView bigEu = candidates(trace).get("big-eu");
        assertEquals(Map.of("missing", List.of("json_output")), bigEu.values());
        assertEquals(List.of("json_output", "tools"), trace.request().requiredCapabilities());
    }

    @Test
    void explainOfARequestNoModelMayServeIsNoEligibleModel() {
        Scenario s = scenario("huge").prompt("x".repeat(800_000));
        ScriptedProvider provider = s.provider(clock);
        DecisionTrace trace = s.router(provider, clock).explain(s.request());

        assertEquals(Outcome.NO_ELIGIBLE_MODEL, trace.outcome());
        assertTrue(trace.error().orElseThrow().startsWith("no model may serve this request: small-a: context_window"));
        assertEquals(List.of(), provider.calls());
    }

    static Map<String, CandidateView> candidates(DecisionTrace trace) {
        Map<String, CandidateView> byModel = new java.util.LinkedHashMap<>();
        trace.candidates().forEach(c -> byModel.put(c.model(), c));
        return byModel;
    }
}
