package dev.llmrouter.engine;

import static dev.llmrouter.engine.Scenario.EASY;
import static dev.llmrouter.engine.Scenario.HARD;
import static dev.llmrouter.engine.Scenario.MEDIUM;
import static dev.llmrouter.engine.Scenario.scenario;
import static dev.llmrouter.provider.ScriptedProvider.answer;
import static dev.llmrouter.provider.ScriptedProvider.failure;
import static dev.llmrouter.provider.ScriptedProvider.rateLimited;
import static dev.llmrouter.provider.ScriptedProvider.truncated;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.classify.Classification;
import dev.llmrouter.provider.ErrorKind;
import dev.llmrouter.provider.ScriptedProvider;
import dev.llmrouter.provider.ScriptedProvider.Answer;
import dev.llmrouter.provider.ScriptedProvider.Reply;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.DecisionTrace.AttemptView;
import dev.llmrouter.trace.DecisionTrace.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine's decision tables: policy route x request x classification x scripted upstream replies, and
 * what the router then does: who serves, which models it called in which order, how the request ended,
 * whether it escalated, and why each attempt was made.
 */
class RouterDecisionTableTest {
    private static final String REFUSAL = "As an AI language model, I cannot help with that.";
    private static final String VALID_JSON = "{\"ok\": true}";

    static Stream<Scenario> table() {
        return Stream.of(
                // --- the start: the cheapest tier whose predicted success reaches the quality floor ---
                scenario("easy request starts and stays on the cheapest tier-1 model")
                        .classified(EASY)
                        .serves("small-a", "small-a", "start"),
                scenario("medium request starts on tier 2").classified(MEDIUM).serves("mid", "mid", "start"),
                scenario("hard request starts on the cheaper tier-3 model")
                        .classified(HARD)
                        .serves("big-eu", "big-eu", "start"),
                scenario("JSON request on tier 3 skips big-eu, which lacks json_output")
                        .classified(HARD)
                        .wantsJson()
                        .script("big", answer(VALID_JSON))
                        .serves("big", "big", "start"),
                scenario("tools request never falls back to small-b, which lacks tools")
                        .withTools()
                        .script("small-a", failure(ErrorKind.SERVER_ERROR, 500))
                        .serves("mid", "small-a, mid", "start, fallback"),
                scenario("gap route: a request no tier is predicted to do much better on starts cheap")
                        .policy("extra-routes-policy.yaml")
                        .app("gap")
                        .classified(FixedClassifier.classification("knowledge", 0.40, 0.45, 0.48))
                        .serves("small-a", "small-a", "start"),
                scenario("gap route: tier 3 predicted 0.24 above tier 1 starts on tier 3, though tier 1 reaches 0.7")
                        .policy("extra-routes-policy.yaml")
                        .app("gap")
                        .classified(FixedClassifier.classification("knowledge", 0.75, 0.80, 0.99))
                        .serves("big-eu", "big-eu", "start"),
                scenario("image request starts on the cheapest vision model")
                        .withImage()
                        .serves("mid", "mid", "start"),

                // --- the cascade: the gate rejects, the request climbs one tier at a time ---
                scenario("truncated tier-1 answer escalates to tier 2")
                        .script("small-a", truncated("The answer is"))
                        .serves("mid", "small-a, mid", "start, escalation")
                        .escalated(),
                scenario("empty tier-1 answer escalates to tier 2")
                        .script("small-a", answer(""))
                        .serves("mid", "small-a, mid", "start, escalation")
                        .escalated(),
                scenario("refusing tier-1 answer escalates to tier 2")
                        .script("small-a", answer(REFUSAL))
                        .serves("mid", "small-a, mid", "start, escalation")
                        .escalated(),
                scenario("invalid JSON for a JSON request escalates to tier 2")
                        .wantsJson()
                        .script("small-a", answer("Sure! {\"ok\": tru"))
                        .script("mid", answer(VALID_JSON))
                        .serves("mid", "small-a, mid", "start, escalation")
                        .escalated(),
                scenario("medium request rejected on tier 2 escalates to tier 3")
                        .classified(MEDIUM)
                        .script("mid", truncated("Partly"))
                        .serves("big-eu", "mid, big-eu", "start, escalation")
                        .escalated(),
                scenario("two rejections climb two tiers, one at a time")
                        .script("small-a", truncated("a"))
                        .script("mid", truncated("b"))
                        .serves("big-eu", "small-a, mid, big-eu", "start, escalation, escalation")
                        .escalated(),
                scenario("after max_escalations the last answer is served even when the gate rejects it")
                        .script("small-a", truncated("a"))
                        .script("mid", truncated("b"))
                        .script("big-eu", truncated("c"))
                        .serves("big-eu", "small-a, mid, big-eu", "start, escalation, escalation")
                        .escalated(),
                scenario("confidential route allows one escalation, and only to EU models")
                        .risk("confidential")
                        .script("small-b", truncated("a"))
                        .script("big-eu", truncated("b"))
                        .serves("big-eu", "small-b, big-eu", "start, escalation")
                        .escalated(),
                scenario("max_attempts 2 leaves room for one escalation only")
                        .policy("extra-routes-policy.yaml")
                        .app("short")
                        .script("small-a", truncated("a"))
                        .script("mid", truncated("b"))
                        .serves("mid", "small-a, mid", "start, escalation")
                        .escalated(),
                scenario("cascade off: a truncated answer is served without a gate")
                        .app("pinned")
                        .script("mid", truncated("cut"))
                        .serves("mid", "mid", "start"),

                // --- fallback: provider errors move on as their kind says ---
                scenario("two 500s fall back within tier 1, then one tier up")
                        .script("small-a", failure(ErrorKind.SERVER_ERROR, 500))
                        .script("small-b", failure(ErrorKind.SERVER_ERROR, 500))
                        .serves("mid", "small-a, small-b, mid", "start, fallback, fallback"),
                scenario("every model failing exhausts max_attempts 4")
                        .script("small-a", failure(ErrorKind.SERVER_ERROR, 500))
                        .script("small-b", failure(ErrorKind.SERVER_ERROR, 500))
                        .script("mid", failure(ErrorKind.SERVER_ERROR, 500))
                        .script("big-eu", failure(ErrorKind.SERVER_ERROR, 500))
                        .fails(
                                Outcome.UPSTREAM_FAILED,
                                "small-a, small-b, mid, big-eu",
                                "start, fallback, fallback, fallback"),
                scenario("429 with a short Retry-After waits and retries the same model")
                        .script("small-a", rateLimited(Duration.ofSeconds(1)))
                        .serves("small-a", "small-a, small-a", "start, retry")
                        .sleeps(Duration.ofSeconds(1)),
                scenario("429 with Retry-After equal to max_retry_after still waits")
                        .script("small-a", rateLimited(Duration.ofSeconds(2)))
                        .serves("small-a", "small-a, small-a", "start, retry")
                        .sleeps(Duration.ofSeconds(2)),
                scenario("429 with a long Retry-After moves on without waiting")
                        .script("small-a", rateLimited(Duration.ofSeconds(10)))
                        .serves("small-b", "small-a, small-b", "start, fallback"),
                scenario("a second 429 on the retried model moves on")
                        .script("small-a", rateLimited(Duration.ofSeconds(1)), rateLimited(Duration.ofSeconds(1)))
                        .serves("small-b", "small-a, small-a, small-b", "start, retry, fallback")
                        .sleeps(Duration.ofSeconds(1)),
                scenario("context_too_long on tier 2 skips the smaller tier-1 windows")
                        .classified(MEDIUM)
                        .script("mid", failure(ErrorKind.CONTEXT_TOO_LONG, 400))
                        .serves("big-eu", "mid, big-eu", "start, fallback"),
                scenario("context_too_long twice climbs to ever larger windows")
                        .script("small-a", failure(ErrorKind.CONTEXT_TOO_LONG, 400))
                        .script("small-b", failure(ErrorKind.CONTEXT_TOO_LONG, 400))
                        .serves("mid", "small-a, small-b, mid", "start, fallback, fallback"),
                scenario("an error kind missing from the route's fallback.on ends the request")
                        .policy("extra-routes-policy.yaml")
                        .app("narrow")
                        .script("small-a", failure(ErrorKind.TIMEOUT, 504))
                        .fails(Outcome.UPSTREAM_FAILED, "small-a", "start"),
                scenario("an error kind listed in the route's fallback.on moves on")
                        .policy("extra-routes-policy.yaml")
                        .app("narrow")
                        .script("small-a", failure(ErrorKind.SERVER_ERROR, 500))
                        .serves("small-b", "small-a, small-b", "start, fallback"),
                scenario("a failure after an escalation falls back upward, never back to the rejected tier")
                        .script("small-a", truncated("a"))
                        .script("mid", failure(ErrorKind.OVERLOADED, 503))
                        .serves("big-eu", "small-a, mid, big-eu", "start, escalation, fallback")
                        .escalated(),
                scenario("every stronger attempt failing serves the answer already received")
                        .script("small-a", truncated("a"))
                        .script("mid", failure(ErrorKind.OVERLOADED, 503))
                        .script("big-eu", failure(ErrorKind.OVERLOADED, 503))
                        .script("big", failure(ErrorKind.OVERLOADED, 503))
                        .servesUnescalated(
                                "small-a", "small-a, mid, big-eu, big", "start, escalation, fallback, fallback"),
                scenario("of two answers sent up, the failed escalation serves the better one (a tie: the stronger)")
                        .script("small-a", truncated("a"))
                        .script("mid", truncated("b"))
                        .script("big-eu", failure(ErrorKind.SERVER_ERROR, 500))
                        .script("big", failure(ErrorKind.SERVER_ERROR, 500))
                        .servesUnescalated(
                                "mid", "small-a, mid, big-eu, big", "start, escalation, escalation, fallback"),
                scenario("an escalation refused as a bad request still serves the answer already received")
                        .script("small-a", truncated("a"))
                        .script("mid", failure(ErrorKind.BAD_REQUEST, 400))
                        .servesUnescalated("small-a", "small-a, mid", "start, escalation"),
                scenario("on_escalation_failure: fail ends the request when every stronger attempt fails")
                        .policy("extra-routes-policy.yaml")
                        .app("escalate-or-fail")
                        .script("small-a", truncated("a"))
                        .script("mid", failure(ErrorKind.OVERLOADED, 503))
                        .script("big-eu", failure(ErrorKind.OVERLOADED, 503))
                        .script("big", failure(ErrorKind.OVERLOADED, 503))
                        .fails(
                                Outcome.UPSTREAM_FAILED,
                                "small-a, mid, big-eu, big",
                                "start, escalation, fallback, fallback")
                        .escalated(),
                scenario("an answer after a fallback is still gated and may escalate")
                        .script("small-a", failure(ErrorKind.SERVER_ERROR, 500))
                        .script("small-b", truncated("a"))
                        .serves("mid", "small-a, small-b, mid", "start, fallback, escalation")
                        .escalated(),

                // --- select: a fixed start and an ordered failover list ---
                scenario("pinned route starts on its fixed model").app("pinned").serves("mid", "mid", "start"),
                scenario("pinned route fails over in its listed order: big-eu first")
                        .app("pinned")
                        .script("mid", failure(ErrorKind.SERVER_ERROR, 500))
                        .serves("big-eu", "mid, big-eu", "start, fallback"),
                scenario("pinned route fails over in its listed order: then small-a")
                        .app("pinned")
                        .script("mid", failure(ErrorKind.SERVER_ERROR, 500))
                        .script("big-eu", failure(ErrorKind.TIMEOUT, 504))
                        .serves("small-a", "mid, big-eu, small-a", "start, fallback, fallback"),
                scenario("pinned route past its failover list continues down the ladder")
                        .app("pinned")
                        .script("mid", failure(ErrorKind.SERVER_ERROR, 500))
                        .script("big-eu", failure(ErrorKind.SERVER_ERROR, 500))
                        .script("small-a", failure(ErrorKind.SERVER_ERROR, 500))
                        .script("small-b", failure(ErrorKind.SERVER_ERROR, 500))
                        .fails(
                                Outcome.UPSTREAM_FAILED,
                                "mid, big-eu, small-a, small-b",
                                "start, fallback, fallback, fallback"),

                // --- risk classes ---
                scenario("confidential request is served in the EU")
                        .risk("confidential")
                        .serves("small-b", "small-b", "start"),
                scenario("confidential request falls back only to EU models")
                        .risk("confidential")
                        .script("small-b", failure(ErrorKind.SERVER_ERROR, 500))
                        .serves("big-eu", "small-b, big-eu", "start, fallback"),
                scenario("confidential request with every EU model failing ends upstream_failed")
                        .risk("confidential")
                        .script("small-b", failure(ErrorKind.SERVER_ERROR, 500))
                        .script("big-eu", failure(ErrorKind.SERVER_ERROR, 500))
                        .fails(Outcome.UPSTREAM_FAILED, "small-b, big-eu", "start, fallback"),
                scenario("regulated request uses only its allowed models")
                        .risk("regulated")
                        .script("mid", truncated("a"))
                        .serves("big", "mid, big", "start, escalation")
                        .escalated(),
                scenario("unknown risk class is refused before any call")
                        .risk("secret")
                        .refused(),

                // --- filters and ranking ---
                scenario("price-capped hard request takes the strongest model under the ceilings")
                        .app("capped")
                        .classified(HARD)
                        .serves("mid", "mid", "start"),
                scenario("min_tier 2 starts an easy request on tier 2")
                        .policy("extra-routes-policy.yaml")
                        .app("tier-two-up")
                        .serves("mid", "mid", "start"),
                scenario("prompt larger than every context window is refused")
                        .prompt("x".repeat(800_000))
                        .refused(),
                scenario("max_tokens over every model's limit with clamping off is refused")
                        .policy("extra-routes-policy.yaml")
                        .app("noclamp")
                        .maxTokens(50_000)
                        .refused(),
                scenario("max_tokens over small-a's limit with clamping off starts on small-b")
                        .policy("extra-routes-policy.yaml")
                        .app("noclamp")
                        .maxTokens(3_000)
                        .serves("small-b", "small-b", "start"),
                scenario("max_tokens over every model's limit with clamping on is served")
                        .maxTokens(50_000)
                        .serves("small-a", "small-a", "start"),
                scenario("unsupported parameter with drop off rules the model out")
                        .policy("extra-routes-policy.yaml")
                        .app("keep-params")
                        .classified(MEDIUM)
                        .param("temperature", "0.2")
                        .serves("big-eu", "big-eu", "start"),
                scenario("fastest ranking without cascade starts on the fastest model")
                        .policy("extra-routes-policy.yaml")
                        .app("fastest")
                        .serves("small-b", "small-b", "start"),
                scenario("quality ranking without cascade starts on the best predicted model")
                        .policy("extra-routes-policy.yaml")
                        .app("quality")
                        .serves("big-eu", "big-eu", "start"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(Scenario s) {
        FakeClock clock = new FakeClock();
        ScriptedProvider provider = s.provider(clock);
        RouteResult result = s.router(provider, clock).route(s.request());
        DecisionTrace trace = result.trace();
        assertAll(
                () -> assertEquals(s.called, provider.calledModels(), "called models"),
                () -> assertEquals(s.outcome, trace.outcome(), "outcome"),
                () -> assertEquals(s.served, served(result), "served by"),
                () -> assertEquals(s.served, trace.servedBy(), "trace served_by"),
                () -> assertEquals(s.escalated, trace.escalated(), "escalated"),
                () -> assertEquals(s.roles, roles(trace), "attempt roles"),
                () -> assertEquals(s.sleeps, clock.sleeps(), "waits"),
                () -> assertEquals(expectedResultType(s.outcome), result.getClass(), "result type"));
    }

    @ParameterizedTest(name = "success {0}/{1}/{2} on tiers 1/2/3 starts on {3}")
    @CsvSource({
        "0.90, 0.95, 0.97, small-a",
        "0.70, 0.80, 0.90, small-a",
        "0.69, 0.70, 0.90, mid",
        "0.50, 0.80, 0.90, mid",
        "0.20, 0.50, 0.85, big-eu",
        "0.10, 0.20, 0.30, big-eu",
        "0.60, 0.60, 0.60, small-a",
    })
    void startsOnCheapestTierReachingTheQualityFloor(double tier1, double tier2, double tier3, String start) {
        Classification c = FixedClassifier.classification("chat", tier1, tier2, tier3);
        Scenario s = scenario("start").classified(c);
        FakeClock clock = new FakeClock();
        ScriptedProvider provider = s.provider(clock);
        Router router = s.router(provider, clock);

        DecisionTrace explained = router.explain(s.request());
        RouteResult routed = router.route(s.request());

        assertEquals(Optional.of(start), explained.start());
        assertEquals(List.of(start), provider.calledModels());
        assertEquals(Optional.of(start), served(routed));
    }

    @ParameterizedTest(name = "{0} answer on tier 1: gate {1}")
    @CsvSource({
        "truncated,      escalate, truncated",
        "empty,          escalate, empty",
        "refusal,        escalate, refusal",
        "invalid_json,   escalate, invalid_json",
        "content_filter, escalate, content_filter",
        "good,           accept,   no_check_failed",
        "good_logprobs,  accept,   logprobs",
        "poor_logprobs,  escalate, logprobs",
    })
    void gateVerdictOnTheStartAnswerDecidesEscalation(String kind, String verdict, String reason) {
        Scenario s =
                scenario(kind).wantsJson().script("small-a", startReply(kind)).script("mid", answer(VALID_JSON));
        FakeClock clock = new FakeClock();
        ScriptedProvider provider = s.provider(clock);

        RouteResult result = s.router(provider, clock).route(s.request());

        AttemptView first = result.trace().attempts().getFirst();
        assertEquals(verdict, first.gate().orElseThrow().verdict().key());
        assertTrue(first.gate().orElseThrow().reasons().contains(reason), () -> "reasons " + first.gate());
        boolean escalates = verdict.equals("escalate");
        assertEquals(escalates ? List.of("small-a", "mid") : List.of("small-a"), provider.calledModels());
        assertEquals(escalates, result.trace().escalated());
        assertEquals(Optional.of(escalates ? "mid" : "small-a"), served(result));
    }

    @ParameterizedTest(name = "{0} ({1}) on the start model -> {3}, calls {4}")
    @CsvSource({
        "server_error,     500, small-b, served,             'small-a, small-b'",
        "overloaded,       503, small-b, served,             'small-a, small-b'",
        "timeout,          504, small-b, served,             'small-a, small-b'",
        "auth,             401, small-b, served,             'small-a, small-b'",
        "rate_limited,     429, small-b, served,             'small-a, small-b'",
        "context_too_long, 400, small-b, served,             'small-a, small-b'",
        "bad_request,      400,        , returned_to_caller, small-a",
        "content_filtered, 400,        , returned_to_caller, small-a",
    })
    void errorKindOnTheStartModelDecidesTheNextStep(
            String kind, int status, String servedBy, String outcome, String calls) {
        ErrorKind errorKind = ErrorKind.fromKey(kind).orElseThrow();
        Scenario s = scenario(kind).script("small-a", failure(errorKind, status));
        FakeClock clock = new FakeClock();
        ScriptedProvider provider = s.provider(clock);

        RouteResult result = s.router(provider, clock).route(s.request());

        assertEquals(Optional.ofNullable(servedBy), served(result));
        assertEquals(Outcome.fromKey(outcome), result.trace().outcome());
        assertEquals(Scenario.csv(calls), provider.calledModels());
        assertEquals(
                kind,
                result.trace()
                        .attempts()
                        .getFirst()
                        .error()
                        .orElseThrow()
                        .kind()
                        .key());
        if (servedBy == null) {
            RouteResult.Failed failed = assertInstanceOf(RouteResult.Failed.class, result);
            assertEquals(errorKind, failed.lastFailure().kind());
            assertEquals(
                    Optional.of(kind + ": scripted " + kind + " from small-a"),
                    result.trace().error());
        }
    }

    private static Reply startReply(String kind) {
        return switch (kind) {
            case "truncated" -> truncated("{\"ok\":");
            case "empty" -> answer("");
            case "refusal" -> answer(REFUSAL);
            case "invalid_json" -> answer("{\"ok\": tru");
            case "content_filter" -> new Answer(VALID_JSON, "content_filter", 100, 50, 200, List.of());
            case "good" -> answer(VALID_JSON);
            case "good_logprobs" -> new Answer(VALID_JSON, "stop", 100, 50, 200, List.of(-0.05, -0.1));
            case "poor_logprobs" -> new Answer(VALID_JSON, "stop", 100, 50, 200, List.of(-1.5, -2.0));
            default -> throw new IllegalArgumentException(kind);
        };
    }

    static Optional<String> served(RouteResult result) {
        return result instanceof RouteResult.Served served ? Optional.of(served.model()) : Optional.empty();
    }

    static List<String> roles(DecisionTrace trace) {
        return trace.attempts().stream().map(a -> a.role().key()).toList();
    }

    private static Class<?> expectedResultType(Outcome outcome) {
        return switch (outcome) {
            case SERVED, SERVED_UNESCALATED -> RouteResult.Served.class;
            case NO_ELIGIBLE_MODEL -> RouteResult.Refused.class;
            default -> RouteResult.Failed.class;
        };
    }
}
