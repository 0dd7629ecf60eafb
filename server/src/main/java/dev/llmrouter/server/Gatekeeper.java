package dev.llmrouter.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.request.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.OptionalLong;

/**
 * What every guarded endpoint checks first: the caller's router API key (a bearer token, compared in
 * constant time), and a body that is JSON, an object, and within the size limit. Keys are never logged.
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
        if (keys.isEmpty()) {
            return;
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiError.unauthenticated();
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        boolean known = false;
        for (byte[] key : keys) {
            known |= MessageDigest.isEqual(key, given);
        }
        if (!known) {
            throw ApiError.unauthenticated();
        }
    }

    /** The body's bytes: 413 when its declared or actual length is over the limit. */
    byte[] body(ServerRequest req) {
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > maxBodyBytes) {
            throw ApiError.tooLarge(maxBodyBytes);
        }
        try {
            byte[] data =
                    req.content().inputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
            if (data.length > maxBodyBytes) {
                throw ApiError.tooLarge(maxBodyBytes);
            }
            return data;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        }
    }

    /** The body as a JSON object: 413 over the limit, 400 when it is not JSON or not an object. */
    ObjectNode jsonBody(ServerRequest req) {
        byte[] bytes = body(req);
        if (bytes.length == 0) {
            throw ApiError.badRequest("the request has no body: send a JSON object");
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("the body is not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiError.badRequest("the body must be a JSON object, got "
                    + node.getNodeType().name().toLowerCase());
        }
        return object;
    }
}
