package dev.llmrouter.provider;

import dev.llmrouter.engine.FakeClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The provider fake every test that needs an upstream shares: per upstream model, a queue of scripted
 * replies (answers, errors, streams that break), each taking a scripted latency on a {@link FakeClock}. A
 * model with no script left answers {@code "answer from <model>"}. Records every call it receives.
 */
public final class ScriptedProvider implements ProviderClient {
    private final FakeClock clock;
    private final Map<String, Deque<Reply>> scripts = new HashMap<>();
    private final List<ProviderCall> calls = new ArrayList<>();

    public ScriptedProvider(FakeClock clock) {
        this.clock = clock;
    }

    /** A scripted reply. */
    public sealed interface Reply {}

    /** An answer, streamed in {@code chunks} pieces when streaming. */
    public record Answer(
            String text, String finishReason, int inputTokens, int outputTokens, long latencyMs, List<Double> logprobs)
            implements Reply {}

    public record Failure(ErrorKind kind, int status, Optional<Duration> retryAfter, long latencyMs) implements Reply {}

    /** A stream that sends {@code sent} and then breaks with {@code kind}. */
    public record BrokenStream(String sent, ErrorKind kind) implements Reply {}

    public static Answer answer(String text) {
        return new Answer(text, "stop", 100, 50, 200, List.of());
    }

    public static Answer truncated(String text) {
        return new Answer(text, "length", 100, 50, 200, List.of());
    }

    public static Failure failure(ErrorKind kind, int status) {
        return new Failure(kind, status, Optional.empty(), 50);
    }

    public static Failure rateLimited(Duration retryAfter) {
        return new Failure(ErrorKind.RATE_LIMITED, 429, Optional.of(retryAfter), 10);
    }

    public synchronized ScriptedProvider script(String upstreamModel, Reply... replies) {
        Deque<Reply> queue = scripts.computeIfAbsent(upstreamModel, m -> new ArrayDeque<>());
        queue.addAll(List.of(replies));
        return this;
    }

    public synchronized List<ProviderCall> calls() {
        return List.copyOf(calls);
    }

    public synchronized List<String> calledModels() {
        return calls.stream().map(ProviderCall::upstreamModel).toList();
    }

    @Override
    public Completion complete(ProviderCall call) throws ProviderFailure {
        return reply(call, Optional.empty());
    }

    @Override
    public Completion stream(ProviderCall call, StreamSink sink) throws ProviderFailure {
        return reply(call, Optional.of(sink));
    }

    private Completion reply(ProviderCall call, Optional<StreamSink> sink) throws ProviderFailure {
        Reply reply;
        synchronized (this) {
            calls.add(call);
            Deque<Reply> queue = scripts.get(call.upstreamModel());
            reply = queue == null || queue.isEmpty() ? answer("answer from " + call.upstreamModel()) : queue.poll();
        }
        return switch (reply) {
            case Answer a -> {
                clock.advance(Duration.ofMillis(a.latencyMs()));
                sink.ifPresent(s -> {
                    int half = a.text().length() / 2;
                    s.onText(a.text().substring(0, half));
                    s.onText(a.text().substring(half));
                });
                yield new Completion(
                        a.text(),
                        a.finishReason(),
                        List.of(),
                        new Usage(a.inputTokens(), a.outputTokens(), false),
                        Completion.logprobEntries(a.logprobs()),
                        call.upstreamModel());
            }
            case Failure f -> {
                clock.advance(Duration.ofMillis(f.latencyMs()));
                throw new ProviderFailure(
                        f.kind(),
                        "scripted " + f.kind().key() + " from " + call.upstreamModel(),
                        OptionalInt.of(f.status()),
                        f.retryAfter());
            }
            case BrokenStream b -> {
                sink.ifPresent(s -> s.onText(b.sent()));
                throw new ProviderFailure(b.kind(), "stream from " + call.upstreamModel() + " broke");
            }
        };
    }
}
