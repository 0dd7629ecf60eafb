package dev.llmrouter.engine;

import static dev.llmrouter.engine.Scenario.HARD;
import static dev.llmrouter.engine.Scenario.scenario;
import static dev.llmrouter.provider.ScriptedProvider.truncated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.provider.ClientGone;
import dev.llmrouter.provider.ErrorKind;
import dev.llmrouter.provider.ProviderCall;
import dev.llmrouter.provider.ScriptedProvider;
import dev.llmrouter.provider.ScriptedProvider.BrokenStream;
import dev.llmrouter.trace.DecisionTrace.AttemptView;
import dev.llmrouter.trace.DecisionTrace.Outcome;
import dev.llmrouter.trace.Escalation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Streaming: once text reaches the caller, no other model may take over. */
class StreamingTest {
    private final FakeClock clock = new FakeClock();
    private final List<String> sink = new ArrayList<>();

    private record Streamed(RouteResult result, List<String> called, List<ProviderCall> calls) {}

    /** The gate's verdict on the first attempt, as the trace names it. */
    private static String firstVerdict(Streamed r) {
        return r.result()
                .trace()
                .attempts()
                .getFirst()
                .gate()
                .orElseThrow()
                .verdict()
                .key();
    }

    private Streamed stream(Scenario s) {
        ScriptedProvider provider = s.provider(clock);
        RouteResult result = s.router(provider, clock).route(s.streaming().request(), sink::add);
        return new Streamed(result, provider.calledModels(), provider.calls());
    }

    @Test
    void bufferedCascadeSendsOnlyTheAcceptedModelsText() {
        Streamed r = stream(scenario("buffer").script("small-a", truncated("The cheap answer is")));

        assertEquals(List.of("small-a", "mid"), r.called());
        assertEquals(List.of("answer from mid"), sink);
        assertEquals(Optional.of("mid"), r.result().trace().servedBy());
        assertTrue(r.result().trace().escalated());
        r.calls().forEach(call -> assertTrue(call.request().stream(), "upstream calls stream too"));
    }

    @Test
    void bufferedCascadeReleasesAnAcceptedCheapAnswerInOnePiece() {
        Streamed r = stream(scenario("buffer accepted"));

        assertEquals(List.of("small-a"), r.called());
        assertEquals(List.of("answer from small-a"), sink);
        assertEquals("accept", firstVerdict(r));
    }

    @Test
    void aFailedEscalationReleasesTheBufferedAnswerItHeld() {
        Streamed r = stream(scenario("escalation fails")
                .script("small-a", truncated("The cheap answer is"))
                .script("mid", ScriptedProvider.failure(ErrorKind.OVERLOADED, 503))
                .script("big-eu", ScriptedProvider.failure(ErrorKind.OVERLOADED, 503))
                .script("big", ScriptedProvider.failure(ErrorKind.OVERLOADED, 503)));

        assertEquals(List.of("The cheap answer is"), sink);
        assertEquals(Optional.of("small-a"), r.result().trace().servedBy());
        assertEquals(Outcome.SERVED_UNESCALATED, r.result().trace().outcome());
        assertEquals(Escalation.FAILED, Escalation.of(r.result().trace()));
        assertInstanceOf(RouteResult.Served.class, r.result());
    }

    @Test
    void aCallerGoneBeforeAFallbackStopsTheChain() {
        Scenario s = scenario("gone")
                .script("small-a", ScriptedProvider.failure(ErrorKind.SERVER_ERROR, 500))
                .script("small-b", ScriptedProvider.failure(ErrorKind.SERVER_ERROR, 500));
        ScriptedProvider provider = s.provider(clock);
        dev.llmrouter.provider.StreamSink gone = new dev.llmrouter.provider.StreamSink() {
            @Override
            public void onText(String delta) {}

            @Override
            public void beforeAttempt() {
                throw new ClientGone("hung up", null);
            }
        };
        RouteResult result = s.router(provider, clock).route(s.request(), gone);

        assertInstanceOf(RouteResult.Abandoned.class, result);
        assertEquals(List.of("small-a"), provider.calledModels(), "no fallback after the caller left");
        assertEquals(Outcome.CLIENT_CLOSED, result.trace().outcome());
    }

    @Test
    void modelWithNoHigherTierStreamsStraightThroughEvenUnderBuffer() {
        Streamed r = stream(scenario("top tier").classified(HARD));

        assertEquals(List.of("big-eu"), r.called());
        assertEquals(List.of("answer fr", "om big-eu"), sink);
        assertEquals("accept", firstVerdict(r));
    }

    @Test
    void skipModeStreamsTheStartModelDirectlyWithoutAGate() {
        Streamed r = stream(scenario("skip").risk("confidential").script("small-b", truncated("Partial ans")));

        assertEquals(List.of("small-b"), r.called());
        assertEquals("Partial ans", String.join("", sink));
        assertEquals(2, sink.size(), "streamed in pieces as they arrived");
        AttemptView attempt = r.result().trace().attempts().getFirst();
        assertEquals(Optional.empty(), attempt.gate());
        assertEquals(Outcome.SERVED, r.result().trace().outcome());
        assertEquals(false, r.result().trace().escalated());
    }

    @Test
    void streamBrokenAfterItsFirstBytesEndsTheRequestWithoutAnotherModel() {
        Streamed r = stream(scenario("broken")
                .risk("confidential")
                .script("small-b", new BrokenStream("Hel", ErrorKind.SERVER_ERROR)));

        assertEquals(List.of("small-b"), r.called());
        assertEquals(List.of("Hel"), sink);
        RouteResult.Failed failed = assertInstanceOf(RouteResult.Failed.class, r.result());
        assertEquals(Outcome.STREAM_BROKEN, failed.trace().outcome());
        assertEquals(ErrorKind.SERVER_ERROR, failed.lastFailure().kind());
        assertEquals(
                Optional.of("server_error: stream from small-b broke"),
                failed.trace().error());
    }

    @Test
    void aCallerThatGoesAwayMidStreamEndsTheRequestWithoutAnotherModel() {
        Scenario s = scenario("gone").risk("confidential");
        ScriptedProvider provider = s.provider(clock);
        RouteResult result = s.router(provider, clock).route(s.streaming().request(), delta -> {
            sink.add(delta);
            throw new ClientGone("the client went away mid-stream", null);
        });

        assertEquals(List.of("small-b"), provider.calledModels());
        assertEquals(List.of("answer fr"), sink, "nothing after the failed write");
        RouteResult.Abandoned abandoned = assertInstanceOf(RouteResult.Abandoned.class, result);
        assertEquals(Outcome.CLIENT_CLOSED, abandoned.trace().outcome());
        AttemptView attempt = abandoned.trace().attempts().getFirst();
        assertEquals("client_closed", attempt.error().orElseThrow().kind().key());
        assertEquals(1, abandoned.trace().attempts().size());
        assertEquals(List.of(), abandoned.trace().cooldowns(), "the model did nothing wrong");
    }

    @Test
    void aCallerGoneBeforeABufferedAnswerIsReleasedIsAbandonedToo() {
        Scenario s = scenario("gone buffered");
        ScriptedProvider provider = s.provider(clock);
        RouteResult result = s.router(provider, clock).route(s.streaming().request(), delta -> {
            throw new ClientGone("the client went away", null);
        });

        assertEquals(List.of("small-a"), provider.calledModels());
        assertEquals(
                Outcome.CLIENT_CLOSED,
                assertInstanceOf(RouteResult.Abandoned.class, result).trace().outcome());
    }

    @Test
    void bufferedStreamBrokenBeforeReachingTheCallerFallsBack() {
        Streamed r = stream(scenario("broken buffered").script("small-a", new BrokenStream("Hel", ErrorKind.TIMEOUT)));

        assertEquals(List.of("small-a", "small-b"), r.called());
        assertEquals(List.of("answer from small-b"), sink);
        assertEquals(Outcome.SERVED, r.result().trace().outcome());
        assertEquals(
                List.of("start", "fallback"),
                RouterDecisionTableTest.roles(r.result().trace()));
    }

    @Test
    void streamFailingAfterOnlyAnEmptyDeltaStillFallsBack() {
        Streamed r = stream(scenario("empty first delta")
                .risk("confidential")
                .script("small-b", new BrokenStream("", ErrorKind.SERVER_ERROR)));

        assertEquals(List.of("small-b", "big-eu"), r.called());
        assertEquals("answer from big-eu", String.join("", sink));
        assertEquals(Outcome.SERVED, r.result().trace().outcome());
    }

    @Test
    void routeWithoutASinkAnswersAStreamingRequestInOnePiece() {
        Scenario s = scenario("no sink").streaming();
        ScriptedProvider provider = s.provider(clock);

        RouteResult result = s.router(provider, clock).route(s.request());

        RouteResult.Served served = assertInstanceOf(RouteResult.Served.class, result);
        assertEquals("answer from small-a", served.completion().text());
        assertEquals(false, provider.calls().getFirst().request().stream());
        assertEquals(false, result.trace().request().stream());
    }
}
