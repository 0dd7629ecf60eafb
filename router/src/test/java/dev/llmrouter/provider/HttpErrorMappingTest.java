package dev.llmrouter.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HttpErrorMappingTest {
    private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

    private static final String OPENAI_CONTEXT =
            "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens. However, you requested"
                    + " 9000 tokens.\",\"type\":\"invalid_request_error\",\"param\":\"messages\","
                    + "\"code\":\"context_length_exceeded\"}}";
    private static final String ANTHROPIC_TOO_LONG =
            "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                    + "\"message\":\"prompt is too long: 210000 tokens > 200000 maximum\"}}";
    private static final String ANTHROPIC_OVERLOADED =
            "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}";
    private static final String AZURE_FILTER =
            "{\"error\":{\"message\":\"The response was filtered due to the prompt triggering Azure OpenAI's"
                    + " content management policy.\",\"type\":null,\"param\":\"prompt\",\"code\":\"content_filter\"}}";

    static Stream<Arguments> table() {
        return Stream.of(
                row(429, "{\"error\":{\"message\":\"slow down\"}}", "3", null, ErrorKind.RATE_LIMITED, 3_000L),
                row(429, "", "Wed, 01 Jan 2025 12:00:30 GMT", null, ErrorKind.RATE_LIMITED, 30_000L),
                row(429, "", "Wed, 01 Jan 2025 11:00:00 GMT", null, ErrorKind.RATE_LIMITED, 0L),
                row(429, "", "1.5", null, ErrorKind.RATE_LIMITED, 1_500L),
                row(429, "", "20", "250", ErrorKind.RATE_LIMITED, 250L),
                row(429, "", null, "1200", ErrorKind.RATE_LIMITED, 1_200L),
                row(429, "", "soon", null, ErrorKind.RATE_LIMITED, null),
                row(429, "", null, null, ErrorKind.RATE_LIMITED, null),
                row(408, "", null, null, ErrorKind.TIMEOUT, null),
                row(504, "<html>gateway timeout</html>", null, null, ErrorKind.TIMEOUT, null),
                row(503, "", "10", null, ErrorKind.OVERLOADED, 10_000L),
                row(529, ANTHROPIC_OVERLOADED, null, null, ErrorKind.OVERLOADED, null),
                row(500, ANTHROPIC_OVERLOADED, null, null, ErrorKind.OVERLOADED, null),
                row(
                        500,
                        "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}",
                        null,
                        null,
                        ErrorKind.SERVER_ERROR,
                        null),
                row(502, "bad gateway", null, null, ErrorKind.SERVER_ERROR, null),
                row(401, "{\"error\":{\"message\":\"Incorrect API key\"}}", null, null, ErrorKind.AUTH, null),
                row(403, "", null, null, ErrorKind.AUTH, null),
                row(413, "", null, null, ErrorKind.CONTEXT_TOO_LONG, null),
                row(400, OPENAI_CONTEXT, null, null, ErrorKind.CONTEXT_TOO_LONG, null),
                row(400, ANTHROPIC_TOO_LONG, null, null, ErrorKind.CONTEXT_TOO_LONG, null),
                row(
                        422,
                        "{\"detail\":\"too many tokens in the prompt\"}",
                        null,
                        null,
                        ErrorKind.CONTEXT_TOO_LONG,
                        null),
                row(400, AZURE_FILTER, null, null, ErrorKind.CONTENT_FILTERED, null),
                row(
                        400,
                        "{\"error\":{\"message\":\"x\",\"code\":\"content_policy_violation\"}}",
                        null,
                        null,
                        ErrorKind.CONTENT_FILTERED,
                        null),
                row(
                        400,
                        "{\"error\":{\"message\":\"Invalid value for temperature\"}}",
                        null,
                        null,
                        ErrorKind.BAD_REQUEST,
                        null),
                row(
                        404,
                        "{\"error\":{\"message\":\"The model does not exist\"}}",
                        null,
                        null,
                        ErrorKind.BAD_REQUEST,
                        null),
                row(
                        422,
                        "[{\"error\":{\"code\":400,\"message\":\"bad field\",\"status\":\"INVALID_ARGUMENT\"}}]",
                        null,
                        null,
                        ErrorKind.BAD_REQUEST,
                        null));
    }

    private static Arguments row(
            int status, String body, String retryAfter, String retryAfterMs, ErrorKind kind, Long waitMillis) {
        return Arguments.of(status, body, retryAfter, retryAfterMs, kind, waitMillis);
    }

    @ParameterizedTest(name = "HTTP {0} {1} -> {4}")
    @MethodSource("table")
    void mapsStatusBodyAndRetryAfter(
            int status, String body, String retryAfter, String retryAfterMs, ErrorKind kind, Long waitMillis) {
        ProviderFailure failure = HttpErrorMapping.map(
                "prov", status, body, Optional.ofNullable(retryAfter), Optional.ofNullable(retryAfterMs), NOW);

        assertEquals(kind, failure.kind());
        assertEquals(OptionalInt.of(status), failure.httpStatus());
        assertEquals(Optional.ofNullable(waitMillis).map(Duration::ofMillis), failure.retryAfter());
        assertTrue(failure.getMessage().startsWith("prov answered HTTP " + status + ": "), failure.getMessage());
    }

    @Test
    void messageCarriesTheProvidersMessageTruncated() {
        String longMessage = "x".repeat(1000);
        ProviderFailure failure = HttpErrorMapping.map(
                "openai",
                400,
                "{\"error\":{\"message\":\"" + longMessage + "\"}}",
                Optional.empty(),
                Optional.empty(),
                NOW);

        String expectedPrefix = "openai answered HTTP 400: " + "x".repeat(HttpErrorMapping.MAX_MESSAGE_CHARS);
        assertTrue(failure.getMessage().startsWith(expectedPrefix));
        assertTrue(failure.getMessage().length() < expectedPrefix.length() + 10);
    }

    @Test
    void anthropicErrorMessageIsExtracted() {
        ProviderFailure failure =
                HttpErrorMapping.map("anthropic", 529, ANTHROPIC_OVERLOADED, Optional.empty(), Optional.empty(), NOW);

        assertEquals("anthropic answered HTTP 529: Overloaded", failure.getMessage());
    }

    @Test
    void plainTextAndEmptyBodiesStillGiveAMessage() {
        assertEquals(
                "p answered HTTP 502: upstream connect error",
                HttpErrorMapping.map("p", 502, "  upstream\n connect error ", Optional.empty(), Optional.empty(), NOW)
                        .getMessage());
        assertEquals(
                "p answered HTTP 503: (no error message)",
                HttpErrorMapping.map("p", 503, "", Optional.empty(), Optional.empty(), NOW)
                        .getMessage());
    }

    @Test
    void errorObjectsInAStreamAreMappedByType() {
        assertEquals(ErrorKind.OVERLOADED, streamError("overloaded_error"));
        assertEquals(ErrorKind.RATE_LIMITED, streamError("rate_limit_error"));
        assertEquals(ErrorKind.AUTH, streamError("authentication_error"));
        assertEquals(ErrorKind.BAD_REQUEST, streamError("invalid_request_error"));
        assertEquals(ErrorKind.CONTEXT_TOO_LONG, streamError("request_too_large"));
        assertEquals(ErrorKind.SERVER_ERROR, streamError("api_error"));
    }

    private static ErrorKind streamError(String type) {
        return HttpErrorMapping.fromErrorObject("p", TestCalls.parse("{\"type\":\"" + type + "\",\"message\":\"m\"}"))
                .kind();
    }
}
