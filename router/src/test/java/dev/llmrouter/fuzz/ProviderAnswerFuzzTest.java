package dev.llmrouter.fuzz;

import dev.llmrouter.catalog.ProviderSpec;
import dev.llmrouter.catalog.Timeouts;
import dev.llmrouter.provider.ProviderCall;
import dev.llmrouter.provider.ProviderClient;
import dev.llmrouter.provider.ProviderClients;
import dev.llmrouter.provider.ProviderFailure;
import dev.llmrouter.provider.StreamSink;
import dev.llmrouter.request.ChatRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Fuzzing of what the provider clients read from an upstream: the HTTP/1.1 response (status line, headers,
 * Content-Length and chunked framing), the JSON answer and the server-sent event stream. Whatever comes back,
 * a call ends in an answer or a {@link ProviderFailure} of the closed set, never another exception: the
 * fallback chain can only recover from what it knows.
 */
class ProviderAnswerFuzzTest {
    static final List<String> ANSWER_WORDS = List.of(
            "id",
            "object",
            "created",
            "model",
            "choices",
            "index",
            "message",
            "delta",
            "role",
            "assistant",
            "content",
            "finish_reason",
            "stop",
            "length",
            "tool_calls",
            "function",
            "name",
            "arguments",
            "usage",
            "prompt_tokens",
            "completion_tokens",
            "input_tokens",
            "output_tokens",
            "logprobs",
            "logprob",
            "token",
            "error",
            "type",
            "code",
            "message_start",
            "content_block_start",
            "content_block_delta",
            "text_delta",
            "text",
            "message_delta",
            "stop_reason",
            "end_turn",
            "overloaded_error",
            "rate_limit_error");
    static final Timeouts QUICK = new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2));

    static final RawUpstream UPSTREAM = new RawUpstream();

    @AfterContainer
    static void stop() {
        UPSTREAM.close();
    }

    @Provide
    Arbitrary<byte[]> answers() {
        return Arbitraries.longs().map(seed -> answer(new Random(seed)));
    }

    @Property(tries = 1500)
    void anyAnswerEndsInACompletionOrAProviderFailure(
            @ForAll("answers") byte[] answer, @ForAll ProviderSpec.Kind kind, @ForAll boolean stream) {
        ProviderClient client = ProviderClients.create(
                new ProviderSpec(
                        "fuzzed", kind, UPSTREAM.uri(kind == ProviderSpec.Kind.OPENAI ? "/v1" : ""), "KEY", QUICK),
                name -> Optional.of("sk-fuzz-key-0000"));
        UPSTREAM.answerNext(answer);
        ProviderCall call = new ProviderCall("m", ChatRequest.ofPrompt("hi").withStream(stream), QUICK);
        try {
            if (stream) {
                client.stream(call, StreamSink.discarding());
            } else {
                client.complete(call);
            }
        } catch (ProviderFailure expected) {
            if (expected.getMessage().contains("sk-fuzz-key-0000")) {
                throw new AssertionError("the key leaked into: " + expected.getMessage());
            }
        }
    }

    /** A response as an upstream could send it, right or wrong in any part. */
    static byte[] answer(Random random) {
        String body = random.nextBoolean() ? json(random) : events(random);
        StringBuilder head = new StringBuilder();
        head.append(pick(
                random,
                "HTTP/1.1 200 OK",
                "HTTP/1.1 200 OK",
                "HTTP/1.1 " + status(random) + " X",
                "HTTP/1.0 200 OK",
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK",
                "HTTP/2 200",
                "garbage",
                "HTTP/1.1 2000 OK"));
        head.append("\r\n");
        head.append(pick(random, "Content-Type: application/json\r\n", "Content-Type: text/event-stream\r\n", ""));
        if (random.nextInt(4) == 0) {
            head.append("Retry-After: ")
                    .append(pick(random, "1", "-1", "99999999999999", "soon", "1.5"))
                    .append("\r\n");
        }
        int framing = random.nextInt(5);
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        String framed;
        switch (framing) {
            case 0 -> framed = head + "Content-Length: " + raw.length + "\r\n\r\n" + body;
            case 1 ->
                framed = head + "Content-Length: "
                        + pick(random, "-5", "0", "99999999999", "abc", Integer.toString(raw.length / 2), "1, 2")
                        + "\r\n\r\n" + body;
            case 2 -> framed = head + "Transfer-Encoding: chunked\r\n\r\n" + chunked(random, body);
            case 3 -> framed = head + "Connection: close\r\n\r\n" + body;
            default -> framed = head + "\r\n" + body;
        }
        String text = random.nextInt(4) == 0 ? FuzzInputs.mutate(random, framed) : framed;
        return FuzzInputs.bytes(random, text);
    }

    static String json(Random random) {
        return FuzzInputs.object(random, ANSWER_WORDS, 5).toString();
    }

    static String events(Random random) {
        StringBuilder out = new StringBuilder();
        int events = random.nextInt(8);
        for (int i = 0; i < events; i++) {
            switch (random.nextInt(6)) {
                case 0 ->
                    out.append("event: ")
                            .append(pick(random, "message_start", "error", "ping", "x"))
                            .append('\n');
                case 1 -> out.append("data: [DONE]\n\n");
                case 2 -> out.append(": comment\n\n");
                case 3 ->
                    out.append("data: ")
                            .append(FuzzInputs.randomText(random, 30))
                            .append("\n\n");
                default -> out.append("data: ").append(json(random)).append("\n\n");
            }
        }
        return out.toString();
    }

    static String chunked(Random random, String body) {
        StringBuilder out = new StringBuilder();
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        int at = 0;
        while (at < raw.length) {
            int size = Math.min(raw.length - at, 1 + random.nextInt(40));
            String declared = random.nextInt(10) == 0
                    ? pick(random, "-5", "fffffffffffffffff", "zz", "", Integer.toHexString(size + 3))
                    : Integer.toHexString(size);
            out.append(declared).append(random.nextInt(15) == 0 ? ";ext=1" : "").append("\r\n");
            out.append(new String(raw, at, size, StandardCharsets.UTF_8)).append("\r\n");
            at += size;
        }
        if (random.nextInt(4) != 0) {
            out.append("0\r\n")
                    .append(random.nextInt(5) == 0 ? "Trailer: x\r\n" : "")
                    .append("\r\n");
        }
        return out.toString();
    }

    static int status(Random random) {
        return pick(random, 200, 201, 204, 301, 400, 401, 403, 404, 408, 413, 429, 500, 502, 503, 504, 529, 599, 0);
    }

    @SafeVarargs
    static <T> T pick(Random random, T... options) {
        return options[random.nextInt(options.length)];
    }
}
