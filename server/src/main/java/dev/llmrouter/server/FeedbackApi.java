package dev.llmrouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.request.Json;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /v1/feedback}: a caller's score (0 to 1) and optional comment on an answer, by the trace id the
 * answer came with, appended to the trace log where {@code train} and {@code eval} read it as a label.
 */
final class FeedbackApi implements HttpService {
    /** The longest feedback comment the trace log keeps. */
    static final int MAX_COMMENT_CHARS = 2000;

    private final Gatekeeper gatekeeper;
    private final Optional<TraceLog> log;
    private final RecentTraces recent;
    private final RouterMetrics metrics;
    private final java.util.function.Supplier<Engine> engine;

    FeedbackApi(
            Gatekeeper gatekeeper,
            Optional<TraceLog> log,
            RecentTraces recent,
            RouterMetrics metrics,
            java.util.function.Supplier<Engine> engine) {
        this.metrics = metrics;
        this.engine = engine;
        this.gatekeeper = gatekeeper;
        this.log = log;
        this.recent = recent;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/feedback", this::feedback);
    }

    private void feedback(ServerRequest req, ServerResponse res) {
        gatekeeper.check(req);
        ObjectNode body = gatekeeper.jsonBody(req);
        JsonNode id = body.get("trace_id");
        if (id == null || !id.isTextual() || id.asText().isBlank()) {
            throw ApiError.badRequest("trace_id: expected the x-router-trace-id of a routed request");
        }
        JsonNode score = body.get("score");
        if (score == null || !score.isNumber() || score.asDouble() < 0 || score.asDouble() > 1) {
            throw ApiError.badRequest("score: expected a number from 0 (bad) to 1 (good), got " + score);
        }
        JsonNode comment = body.get("comment");
        if (comment != null && !comment.isTextual()) {
            throw ApiError.badRequest("comment: expected a string");
        }
        if (comment != null && comment.asText().length() > MAX_COMMENT_CHARS) {
            throw ApiError.badRequest("comment: at most " + MAX_COMMENT_CHARS + " characters are kept, got "
                    + comment.asText().length() + "; shorten it");
        }
        Optional<RecentTraces.Served> served = recent.get(id.asText());
        if (served.isEmpty()) {
            throw new ApiError(
                    404,
                    "invalid_request_error",
                    "trace_not_found",
                    "trace_id " + id.asText() + " is not one of the last " + RecentTraces.CAPACITY
                            + " requests this server routed",
                    List.of());
        }
        if (log.isEmpty()) {
            throw new ApiError(
                    409,
                    "invalid_request_error",
                    "feedback_not_stored",
                    "this server keeps no trace log (router.trace.dir is empty), so feedback has nowhere to go",
                    List.of());
        }
        log.get()
                .feedback(
                        id.asText(),
                        score.asDouble(),
                        Optional.ofNullable(comment).map(JsonNode::asText));
        boolean wasSuccess = score.asDouble() < dev.llmrouter.stats.TraceStats.FAILED_BELOW
                ? recent.ratedDown(id.asText())
                : served.get().success();
        metrics.feedback(served.get().route(), served.get().model(), score.asDouble(), wasSuccess);
        // a running canary compares its arms' feedback too
        engine.get().candidate().flatMap(Shadow::canary).ifPresent(c -> c.feedback(id.asText(), score.asDouble()));
        ObjectNode ok = Json.MAPPER.createObjectNode();
        ok.put("trace_id", id.asText());
        ok.put("stored", true);
        OpenAiApi.send(res, 200, OpenAiApi.bytes(ok));
    }
}
