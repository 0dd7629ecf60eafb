package dev.llmrouter.engine;

import static dev.llmrouter.engine.Scenario.scenario;
import static dev.llmrouter.provider.ScriptedProvider.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.provider.ErrorKind;
import dev.llmrouter.provider.ProviderCall;
import dev.llmrouter.provider.ScriptedProvider;
import dev.llmrouter.trace.DecisionTrace.AttemptView;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The mutate verb, checked on what the provider actually received for each attempt. */
class MutationTest {
    private final FakeClock clock = new FakeClock();

    private record Routed(List<ProviderCall> calls, List<AttemptView> attempts) {}

    private Routed route(Scenario s) {
        ScriptedProvider provider = s.provider(clock);
        RouteResult result = s.router(provider, clock).route(s.request());
        return new Routed(provider.calls(), result.trace().attempts());
    }

    @Test
    void maxTokensAboveTheModelLimitIsClampedToIt() {
        Routed r = route(scenario("clamp").maxTokens(5_000));

        assertEquals(OptionalInt.of(2_000), r.calls().getFirst().request().maxTokens());
        assertEquals(
                List.of("max_tokens 5000 -> 2000 (the model's output limit)"),
                r.attempts().getFirst().mutations());
    }

    @Test
    void eachAttemptIsClampedFromTheCallersRequestNotFromThePreviousAttempt() {
        Routed r =
                route(scenario("clamp twice").maxTokens(5_000).script("small-a", failure(ErrorKind.SERVER_ERROR, 500)));

        assertEquals(OptionalInt.of(2_000), r.calls().get(0).request().maxTokens());
        assertEquals(OptionalInt.of(4_000), r.calls().get(1).request().maxTokens());
        assertEquals(
                List.of("max_tokens 5000 -> 4000 (the model's output limit)"),
                r.attempts().get(1).mutations());
    }

    @Test
    void maxTokensWithinTheLimitIsSentUnchanged() {
        Scenario s = scenario("fits").maxTokens(100).param("temperature", "0.3");
        Routed r = route(s);

        assertEquals(s.request(), r.calls().getFirst().request());
        assertEquals(List.of(), r.attempts().getFirst().mutations());
    }

    @Test
    void unsupportedParameterIsDroppedOnlyForTheModelThatRejectsIt() {
        Routed r = route(scenario("temperature")
                .app("pinned")
                .param("temperature", "0.2")
                .script("mid", failure(ErrorKind.SERVER_ERROR, 500)));

        assertEquals(
                List.of("mid", "big-eu"),
                r.calls().stream().map(ProviderCall::upstreamModel).toList());
        assertFalse(r.calls().get(0).request().parameters().containsKey("temperature"));
        assertEquals(
                List.of("dropped temperature (not supported by mid)"),
                r.attempts().get(0).mutations());
        assertEquals(
                Scenario.json("0.2"), r.calls().get(1).request().parameters().get("temperature"));
        assertEquals(List.of(), r.attempts().get(1).mutations());
    }

    @Test
    void logprobsAskedForAreNeverDroppedOnlyModelsThatGiveThemServe() {
        Routed r = route(scenario("logprobs")
                .param("logprobs", "true")
                .param("top_logprobs", "3")
                .script("small-a", failure(ErrorKind.SERVER_ERROR, 500)));

        assertEquals(
                List.of("small-a", "big"),
                r.calls().stream().map(ProviderCall::upstreamModel).toList(),
                "small-b, mid and big-eu give no logprobs, so the fallback skips to big");
        for (ProviderCall call : r.calls()) {
            assertTrue(call.request().parameters().containsKey("logprobs"));
            assertTrue(call.request().parameters().containsKey("top_logprobs"));
        }
        assertEquals(List.of(), r.attempts().get(1).mutations());
    }

    @Test
    void defaultMaxTokensIsSetThenClamped() {
        Routed r =
                route(scenario("defaulted").policy("extra-routes-policy.yaml").app("defaulted"));

        assertEquals(OptionalInt.of(2_000), r.calls().getFirst().request().maxTokens());
        assertEquals(
                List.of(
                        "max_tokens set to 3000 (default_max_tokens)",
                        "max_tokens 3000 -> 2000 (the model's output limit)"),
                r.attempts().getFirst().mutations());
    }

    @Test
    void keptUnsupportedParameterIsSentAsIsWhenDroppingIsOff() {
        Routed r = route(scenario("keep")
                .policy("extra-routes-policy.yaml")
                .app("keep-params")
                .param("temperature", "0.2"));

        assertEquals(
                Scenario.json("0.2"),
                r.calls().getFirst().request().parameters().get("temperature"));
        assertEquals(List.of(), r.attempts().getFirst().mutations());
    }

    @Test
    void callCarriesTheModelsUpstreamIdAndItsProvidersTimeouts() {
        Routed r = route(scenario("plain"));

        ProviderCall call = r.calls().getFirst();
        assertEquals("small-a", call.upstreamModel());
        assertEquals(Fixtures.catalog().providers().get("fake").timeouts(), call.timeouts());
    }
}
