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
    private final java.util.OptionalLong retryAfterSeconds;

    ApiError(int status, String type, String code, String message, List<String> details) {
        this(status, type, code, message, details, java.util.OptionalLong.empty());
    }

    private ApiError(
            int status,
            String type,
            String code,
            String message,
            List<String> details,
            java.util.OptionalLong retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.details = List.copyOf(details);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 429: a budget of the policy is used up until {@code resetsAt}, which Retry-After gives in seconds. */
    static ApiError budgetExhausted(List<String> reasons, java.time.Instant resetsAt, java.time.Instant now) {
        long seconds = Math.max(
                1, (long) Math.ceil(java.time.Duration.between(now, resetsAt).toMillis() / 1000.0));
        return new ApiError(
                429,
                "insufficient_quota",
                "budget_exhausted",
                "a budget of the router's policy refuses this request until " + resetsAt + " (details say which"
                        + " and why): retry then, or ask the router's operators to raise it",
                reasons,
                java.util.OptionalLong.of(seconds));
    }

    /** Seconds a caller should wait before it retries, when the error says. */
    java.util.OptionalLong retryAfterSeconds() {
        return retryAfterSeconds;
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
