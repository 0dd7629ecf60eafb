package dev.llmrouter.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.request.Json;
import java.util.List;

/**
 * An error a caller gets, in OpenAI's shape: {@code {"error": {"message", "type", "code", ...}}}, with the
 * HTTP status it travels with. {@code details} (filter reasons, attempts, admission errors) is added under
 * {@code error.details} so a client can show every reason, not only the first.
 */
final class ApiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;
    private final List<String> details;

    ApiError(int status, String type, String code, String message, List<String> details) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.details = List.copyOf(details);
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, "invalid_request_error", "invalid_request", message, List.of());
    }

    static ApiError unauthenticated() {
        return new ApiError(
                401,
                "authentication_error",
                "invalid_api_key",
                "missing or unknown router API key: send 'Authorization: Bearer <key>' with a key from the"
                        + " server's router.api_keys (or LLM_ROUTER_API_KEYS)",
                List.of());
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "invalid_request_error", "model_not_found", message, List.of());
    }

    static ApiError tooLarge(long limit) {
        return new ApiError(
                413,
                "invalid_request_error",
                "request_too_large",
                "the request body is over the server's limit of " + limit + " bytes (router.max_body_bytes)",
                List.of());
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    /** The JSON body. */
    byte[] body() {
        ObjectNode error = Json.MAPPER.createObjectNode();
        error.put("message", getMessage());
        error.put("type", type);
        error.put("code", code);
        error.putNull("param");
        if (!details.isEmpty()) {
            ArrayNode list = error.putArray("details");
            details.forEach(list::add);
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("error", error);
        return root.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
