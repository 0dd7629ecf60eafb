package dev.llmrouter.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.request.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What every guarded endpoint checks first: the caller's key (a bearer token, compared in constant time), a
 * body of the declared media type within the size limit that arrives in time, and, for JSON, one JSON object
 * within the parser's limits. Keys are never logged: a key is named by its {@link #fingerprint}.
 */
final class Gatekeeper {
    private final List<byte[]> keys;
    private final long maxBodyBytes;

    Gatekeeper(List<String> keys, long maxBodyBytes) {
        this.keys = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
        this.maxBodyBytes = maxBodyBytes;
    }

    boolean open() {
        return keys.isEmpty();
    }

    /** Throws 401 unless the request carries one of the keys (or the server has none). */
    void check(ServerRequest req) {
        if (!open() && !holdsKey(req)) {
            throw ApiError.unauthenticated();
        }
    }

    /** Whether the request's bearer token is one of the keys, compared in constant time. */
    boolean holdsKey(ServerRequest req) {
        Optional<byte[]> given = bearer(req);
        boolean known = false;
        for (byte[] key : keys) {
            known |= given.isPresent() && MessageDigest.isEqual(key, given.get());
        }
        return known;
    }

    /** The bearer token of the request, if it sent one. */
    static Optional<byte[]> bearer(ServerRequest req) {
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.of(header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    /** A name for the request's key that does not reveal it: the first 12 hex digits of its sha256. */
    static String fingerprint(ServerRequest req) {
        return bearer(req).map(k -> "sha256:" + Sha256.hex(k).substring(0, 12)).orElse("none");
    }

    /**
     * Throws 415 unless the body is declared as one of {@code types} ({@code application/json} for the JSON
     * endpoints): a browser page cannot send those without the CORS preflight this server never answers.
     */
    static void mediaType(ServerRequest req, Set<String> types) {
        String declared = req.headers()
                .first(HeaderNames.CONTENT_TYPE)
                .map(v -> v.split(";", 2)[0].strip().toLowerCase(Locale.ROOT))
                .orElse("");
        if (!types.contains(declared)) {
            throw new ApiError(
                    415,
                    "invalid_request_error",
                    "unsupported_media_type",
                    "Content-Type " + (declared.isEmpty() ? "is missing" : "'" + declared + "' is not accepted")
                            + ": send "
                            + String.join(" or ", types.stream().sorted().toList()),
                    List.of());
        }
    }

    /**
     * The body's bytes: 413 when its declared or actual length is over the limit, 408 when it arrives slower
     * than the body timeout allows.
     */
    byte[] body(ServerRequest req) {
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > maxBodyBytes) {
            throw ApiError.tooLarge(maxBodyBytes);
        }
        int limit = (int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1);
        byte[] data = new byte[(int) Math.min(limit, declared.orElse(8192))];
        int length = 0;
        try (InputStream in = req.content().inputStream()) {
            while (true) {
                if (length == data.length) {
                    if (length >= limit) {
                        break;
                    }
                    data = Arrays.copyOf(data, (int) Math.min(limit, Math.max(8192, 2L * data.length)));
                }
                int n = in.read(data, length, data.length - length);
                if (n < 0) {
                    break;
                }
                length += n;
                if (ConnectionGuard.bodyDeadlinePassed()) {
                    throw new ApiError(
                            408,
                            "invalid_request_error",
                            "request_timeout",
                            "the request's body did not arrive in time (server.limits.body_timeout): send the whole"
                                    + " request promptly",
                            List.of());
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the caller hung up, or a read timeout closed the connection: nobody is left to answer
            throw new CloseConnectionException("the request body could not be read: " + e.getMessage(), e);
        }
        if (length > maxBodyBytes) {
            throw ApiError.tooLarge(maxBodyBytes);
        }
        ConnectionGuard.bodyRead();
        return length == data.length ? data : Arrays.copyOf(data, length);
    }

    /**
     * The body as a JSON object: 415 unless declared {@code application/json}, 413 over the limit, 400 when
     * it is not one JSON object within the parser's limits.
     */
    ObjectNode jsonBody(ServerRequest req) {
        mediaType(req, Set.of("application/json"));
        byte[] bytes = body(req);
        if (bytes.length == 0) {
            throw ApiError.badRequest("the request has no body: send a JSON object");
        }
        JsonNode node;
        try {
            node = Json.STRICT.readTree(bytes);
        } catch (StreamConstraintsException e) {
            throw ApiError.badRequest("the body's JSON is over the server's limits (nesting " + Json.MAX_DEPTH
                    + " levels, numbers " + Json.MAX_NUMBER_DIGITS + " digits, field names " + Json.MAX_NAME_CHARS
                    + " characters): " + withoutSource(e.getOriginalMessage()));
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            throw ApiError.badRequest("the body is not valid JSON: " + withoutSource(e.getOriginalMessage())
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            // from bytes in memory only a bad encoding (CharConversionException): JSON is UTF-8
            throw ApiError.badRequest("the body is not JSON in UTF-8: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw ApiError.badRequest("the request has no body: send a JSON object");
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiError.badRequest("the body must be a JSON object, got "
                    + node.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return object;
    }

    /** Jackson's message without its pointers into Jackson's own API. */
    private static String withoutSource(String message) {
        String text = message == null ? "" : message;
        int from = text.indexOf(", from `");
        return (from < 0 ? text : text.substring(0, from) + ")").replaceAll("\\s+", " ");
    }
}
