package dev.llmrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.request.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Turns an upstream's HTTP error answer (status, body, {@code Retry-After}) into a {@link ProviderFailure} of
 * the closed {@link ErrorKind} set. A pure function of its inputs: it reads no request and therefore can
 * never leak a request header or an API key into the failure message.
 *
 * <p>A {@code Retry-After} (or {@code retry-after-ms}) header is kept on the failure whatever the status,
 * though only {@link ErrorKind#RATE_LIMITED} waits on it.
 *
 * <p>Understood error bodies: OpenAI's {@code {"error":{"message","type","code"}}}, Anthropic's
 * {@code {"type":"error","error":{"type","message"}}}, Google's list-wrapped variant, {@code {"error":"..."}},
 * {@code {"message":"..."}}, {@code {"detail":"..."}} and plain text.
 */
final class HttpErrorMapping {
    /** The longest piece of a provider's own error message kept in a failure message. */
    static final int MAX_MESSAGE_CHARS = 300;
    /** What ends a message that was cut at {@link #MAX_MESSAGE_CHARS}. */
    static final String CUT_MARK = "...";

    private static final List<String> CONTEXT_PHRASES = List.of(
            "context_length_exceeded",
            "maximum context length",
            "prompt is too long",
            "too many tokens",
            "context window");
    private static final List<String> CONTENT_FILTER_PHRASES =
            List.of("content policy", "content filter", "content management policy", "content_policy_violation");

    private HttpErrorMapping() {}

    /** Maps an answer as the client received it, measuring an HTTP-date Retry-After from now. */
    static ProviderFailure fromResponse(String provider, int status, String body, Http1Client.Headers headers) {
        return map(
                provider,
                status,
                body,
                headers.firstValue("retry-after"),
                headers.firstValue("retry-after-ms"),
                Instant.now());
    }

    /**
     * Maps one HTTP error answer.
     *
     * @param provider the provider's catalog name, used in the message
     * @param status the HTTP status code
     * @param body the response body as text, possibly empty
     * @param retryAfter the {@code Retry-After} header: delay seconds or an HTTP-date
     * @param retryAfterMs the {@code retry-after-ms} header some providers add; preferred when valid
     * @param now the instant an HTTP-date Retry-After is measured from
     */
    static ProviderFailure map(
            String provider,
            int status,
            String body,
            Optional<String> retryAfter,
            Optional<String> retryAfterMs,
            Instant now) {
        ErrorBody error = ErrorBody.parse(body);
        ErrorKind kind = kindOf(status, error);
        Optional<Duration> wait = retryAfterMs.flatMap(HttpErrorMapping::parseMillis);
        if (wait.isEmpty()) {
            wait = retryAfter.flatMap(value -> parseRetryAfter(value, now));
        }
        String message = provider + " answered HTTP " + status + ": " + truncate(error.message());
        return new ProviderFailure(kind, message, OptionalInt.of(status), wait);
    }

    /**
     * Maps an error object a provider sent inside a 200 stream or body (OpenAI's {@code {"error":{...}}} chunk,
     * Anthropic's {@code event: error}) by its type or code.
     */
    static ProviderFailure fromErrorObject(String provider, JsonNode error) {
        ErrorBody parsed = ErrorBody.of(error);
        return new ProviderFailure(
                kindOfErrorType(parsed), provider + " reported an error: " + truncate(parsed.message()));
    }

    static ErrorKind kindOf(int status, ErrorBody error) {
        if (status == 429) {
            return ErrorKind.RATE_LIMITED;
        }
        if (status == 401 || status == 403) {
            return ErrorKind.AUTH;
        }
        if (error.isOverloaded()) {
            return ErrorKind.OVERLOADED;
        }
        if (status == 408 || status == 504) {
            return ErrorKind.TIMEOUT;
        }
        if (status == 503 || status == 529) {
            return ErrorKind.OVERLOADED;
        }
        if (status == 413) {
            return ErrorKind.CONTEXT_TOO_LONG;
        }
        if (status >= 500) {
            return ErrorKind.SERVER_ERROR;
        }
        if (status >= 400) {
            if (error.saysContextTooLong()) {
                return ErrorKind.CONTEXT_TOO_LONG;
            }
            return error.saysContentFiltered() ? ErrorKind.CONTENT_FILTERED : ErrorKind.BAD_REQUEST;
        }
        return ErrorKind.SERVER_ERROR;
    }

    private static ErrorKind kindOfErrorType(ErrorBody error) {
        if (error.isOverloaded()) {
            return ErrorKind.OVERLOADED;
        }
        if (error.saysContextTooLong() || error.hasTypeOrCode("request_too_large")) {
            return ErrorKind.CONTEXT_TOO_LONG;
        }
        if (error.saysContentFiltered()) {
            return ErrorKind.CONTENT_FILTERED;
        }
        if (error.hasTypeOrCode("rate_limit_error") || error.hasTypeOrCode("rate_limit_exceeded")) {
            return ErrorKind.RATE_LIMITED;
        }
        if (error.hasTypeOrCode("authentication_error")
                || error.hasTypeOrCode("permission_error")
                || error.hasTypeOrCode("invalid_api_key")) {
            return ErrorKind.AUTH;
        }
        if (error.hasTypeOrCode("timeout_error")) {
            return ErrorKind.TIMEOUT;
        }
        if (error.hasTypeOrCode("invalid_request_error") || error.hasTypeOrCode("not_found_error")) {
            return ErrorKind.BAD_REQUEST;
        }
        return ErrorKind.SERVER_ERROR;
    }

    /** Delay seconds (integer or decimal) or an RFC 1123 HTTP-date; a date in the past means no wait. */
    static Optional<Duration> parseRetryAfter(String value, Instant now) {
        String trimmed = value.strip();
        Optional<Duration> seconds = parseDecimal(trimmed)
                .map(s -> Duration.ofMillis(s.movePointRight(3)
                        .setScale(0, java.math.RoundingMode.CEILING)
                        .longValueExact()));
        if (seconds.isPresent() || trimmed.isEmpty()) {
            return seconds;
        }
        try {
            Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            Duration wait = Duration.between(now, at);
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> parseMillis(String value) {
        return parseDecimal(value.strip())
                .map(ms -> Duration.ofMillis(
                        ms.setScale(0, java.math.RoundingMode.CEILING).longValueExact()));
    }

    private static Optional<BigDecimal> parseDecimal(String value) {
        if (value.isEmpty() || value.length() > 12 || !value.matches("\\d+(\\.\\d+)?")) {
            return Optional.empty();
        }
        return Optional.of(new BigDecimal(value));
    }

    /**
     * A provider's text as a failure message keeps it: credentials removed ({@link Redaction}) first, then
     * white space folded and the text cut at {@link #MAX_MESSAGE_CHARS}.
     */
    static String truncate(String message) {
        String flat = Redaction.scrub(message, Optional.empty()).strip().replaceAll("\\s+", " ");
        if (flat.isEmpty()) {
            return "(no error message)";
        }
        return flat.length() <= MAX_MESSAGE_CHARS ? flat : flat.substring(0, MAX_MESSAGE_CHARS) + CUT_MARK;
    }

    /** The parts of an error body the mapping reads. Fields are empty strings when absent. */
    record ErrorBody(String type, String code, String message) {
        static ErrorBody parse(String body) {
            String trimmed = body.strip();
            if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
                try {
                    JsonNode root = Json.MAPPER.readTree(trimmed);
                    if (root.isArray() && !root.isEmpty()) {
                        root = root.get(0);
                    }
                    if (root.isObject()) {
                        JsonNode error = root.get("error");
                        if (error != null && error.isObject()) {
                            return of(error);
                        }
                        return of(root);
                    }
                } catch (IOException e) {
                    // not JSON after all: fall through to the plain text
                }
            }
            return new ErrorBody("", "", trimmed);
        }

        static ErrorBody of(JsonNode error) {
            if (error.isTextual()) {
                return new ErrorBody("", "", error.asText());
            }
            String message = firstText(error, "message", "error", "detail", "msg");
            return new ErrorBody(
                    textOf(error.path("type")),
                    textOf(error.path("code")),
                    message.isEmpty() ? error.toString() : message);
        }

        private static String firstText(JsonNode node, String... fields) {
            for (String field : fields) {
                JsonNode value = node.get(field);
                if (value != null && value.isTextual() && !value.asText().isBlank()) {
                    return value.asText();
                }
                if (value != null && (value.isObject() || value.isArray())) {
                    return value.toString();
                }
            }
            return "";
        }

        private static String textOf(JsonNode node) {
            return node.isValueNode() && !node.isNull() ? node.asText() : "";
        }

        boolean hasTypeOrCode(String value) {
            return type.equalsIgnoreCase(value) || code.equalsIgnoreCase(value);
        }

        boolean isOverloaded() {
            return hasTypeOrCode("overloaded_error") || hasTypeOrCode("overloaded");
        }

        boolean saysContextTooLong() {
            return hasTypeOrCode("context_length_exceeded") || mentionsAny(CONTEXT_PHRASES);
        }

        boolean saysContentFiltered() {
            return hasTypeOrCode("content_filter")
                    || hasTypeOrCode("content_policy_violation")
                    || mentionsAny(CONTENT_FILTER_PHRASES);
        }

        private boolean mentionsAny(List<String> phrases) {
            String lower = message.toLowerCase(Locale.ROOT);
            return phrases.stream().anyMatch(lower::contains);
        }
    }
}
