package dev.llmrouter.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.catalog.ProviderSpec;
import dev.llmrouter.provider.FakeUpstream.Reply;
import dev.llmrouter.request.ChatRequest;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A provider key that an upstream echoes never reaches a failure message, whole or in part, wherever the
 * echo falls relative to the cut at {@link HttpErrorMapping#MAX_MESSAGE_CHARS}: in an error body, after a
 * credential's name or bare, and in an error event inside a 200 stream.
 */
class RedactionTest {
    /** Shaped like an OpenAI key: the patterns alone would catch it. */
    static final String SHAPED = "sk-proj-Zq81Lm0Pw7Rt";
    /** Shaped like nothing: only knowing the key in use catches it. */
    static final String PLAIN = "q7Zt9LmX2pVn4RbK";

    static FakeUpstream upstream;

    @BeforeAll
    static void start() {
        upstream = new FakeUpstream();
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    /** Each key, echoed three ways, starting at every offset from 24 before the cut to 4 after it. */
    static Stream<Arguments> echoes() {
        return Stream.of(SHAPED, PLAIN).flatMap(key -> Stream.of("Authorization: Bearer ", "x-api-key: ", "key ")
                .flatMap(
                        prefix -> IntStream.rangeClosed(-24, 4).mapToObj(offset -> Arguments.of(key, prefix, offset))));
    }

    @ParameterizedTest(name = "{0} after ''{1}'' at cut{2}")
    @MethodSource("echoes")
    void anErrorBodyNeverShowsAPieceOfTheKey(String key, String prefix, int offset) {
        String message = padded(prefix, key, offset);
        upstream.enqueue(Reply.json(401, "{\"error\":{\"message\":\"" + message + "\"}}"));
        ProviderFailure failure = call(key, false);
        assertEquals(ErrorKind.AUTH, failure.kind());
        assertNoPieceOf(key, failure.getMessage());
    }

    @ParameterizedTest(name = "{0} after ''{1}'' at cut{2}")
    @MethodSource("echoes")
    void anErrorEventInAStreamNeverShowsAPieceOfTheKey(String key, String prefix, int offset) {
        String message = padded(prefix, key, offset);
        upstream.enqueue(Reply.sse().data("{\"error\":{\"message\":\"" + message + "\",\"type\":\"server_error\"}}"));
        ProviderFailure failure = call(key, true);
        assertNoPieceOf(key, failure.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            Authorization: Bearer abc.def-123          | Authorization: [redacted]
            {"api_key": "zzTop-secret-1"}              | {"api_key": "[redacted]"}
            proxy-authorization=Basic dXNlcjpwYXNz     | proxy-authorization=[redacted]
            got bearer eyJhbGciOi.payload.sig here     | got bearer [redacted] here
            key sk-ant-api03-AbCdEf_123 is invalid     | key [redacted] is invalid
            google AIzaSyA1234567890abcdefghij failed  | google [redacted] failed
            a plain error: model not found             | a plain error: model not found
            """)
    void credentialsAreRemovedWithoutKnowingTheKey(String text, String expected) {
        assertEquals(expected, Redaction.scrub(text, Optional.empty()));
    }

    /** Text whose key starts {@code offset} characters from the cut (negative: before it). */
    private static String padded(String prefix, String key, int offset) {
        // the failure message is "<provider> answered HTTP 401: " + the upstream's message; the cut counts the latter
        int start = HttpErrorMapping.MAX_MESSAGE_CHARS + offset;
        String filler = "x".repeat(Math.max(0, start - prefix.length() - 1)) + " ";
        return filler + prefix + key + " was rejected, check the key";
    }

    private static ProviderFailure call(String key, boolean stream) {
        ProviderClient client = TestCalls.client(
                ProviderSpec.Kind.OPENAI, upstream.uri("/v1"), TestCalls.envWith("OPENAI_API_KEY", key));
        ProviderCall call = TestCalls.call(ChatRequest.ofPrompt("hi"));
        return assertThrows(
                ProviderFailure.class,
                () -> {
                    if (stream) {
                        client.stream(call, StreamSink.discarding());
                    } else {
                        client.complete(call);
                    }
                },
                "the call fails");
    }

    private static void assertNoPieceOf(String key, String message) {
        for (int i = 0; i + 4 <= key.length(); i++) {
            String piece = key.substring(i, i + 4);
            assertFalse(message.contains(piece), "'" + piece + "' of the key is in: " + message);
        }
        assertTrue(message.contains(Redaction.MARK) || !message.contains(key.substring(0, 2)), message);
    }
}
