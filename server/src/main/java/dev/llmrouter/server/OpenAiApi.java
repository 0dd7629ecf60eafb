package dev.llmrouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.engine.RouteResult;
import dev.llmrouter.engine.Router;
import dev.llmrouter.engine.Target;
import dev.llmrouter.policy.Route;
import dev.llmrouter.provider.ClientGone;
import dev.llmrouter.provider.Completion;
import dev.llmrouter.provider.ErrorKind;
import dev.llmrouter.provider.StreamSink;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Json;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.Escalation;
import dev.llmrouter.trace.TraceJson;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The OpenAI-compatible API: {@code POST /v1/chat/completions} (blocking and SSE), {@code GET /v1/models},
 * {@code POST /v1/route} (the decision and its trace, no model called) and {@code POST /v1/feedback}.
 * {@code model} is a router alias ({@code router}, or {@code router/<route>} to force a route) or a catalog
 * model, which the matching route's filters still judge.
 */
final class OpenAiApi implements HttpService {
    static final String ALIAS = "router";
    /** The longest feedback comment the trace log keeps. */
    static final int MAX_COMMENT_CHARS = 2000;

    private final java.util.function.Supplier<Engine> engine;
    private final Gatekeeper gatekeeper;
    private final RouterMetrics metrics;
    private final Optional<TraceLog> log;
    private final RecentTraces recent;

    OpenAiApi(
            java.util.function.Supplier<Engine> engine,
            Gatekeeper gatekeeper,
            RouterMetrics metrics,
            Optional<TraceLog> log,
            RecentTraces recent) {
        this.engine = engine;
        this.gatekeeper = gatekeeper;
        this.metrics = metrics;
        this.log = log;
        this.recent = recent;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/chat/completions", this::chat)
                .get("/models", this::models)
                .post("/route", this::explain)
                .post("/feedback", this::feedback);
    }

    private void chat(ServerRequest req, ServerResponse res) {
        gatekeeper.check(req);
        ObjectNode body = gatekeeper.jsonBody(req);
        Router router = engine.get().router();
        Target target = target(body, router);
        ChatRequest request = request(body);
        String traceId = HttpHygiene.id(req);
        recent.add(traceId); // before the answer: a caller may send feedback the moment it has it
        long started = System.nanoTime();
        if (request.stream()) {
            stream(req, res, router, request, target, traceId, body, started);
            return;
        }
        Caller caller = new Caller(req);
        RouteResult result = router.route(request, target, caller, traceId);
        String outcome = outcomeOf(result);
        try {
            switch (result) {
                case RouteResult.Served served -> {
                    if (caller.goneAfter(served.trace(), started)) {
                        outcome = CLIENT_CLOSED;
                        throw new CloseConnectionException("the client went away before the answer was sent");
                    }
                    headers(res, served.model(), traceId, Escalation.of(served.trace()));
                    try {
                        send(res, 200, completionJson(served.completion(), served.model(), traceId));
                    } catch (UncheckedIOException | CloseConnectionException gone) {
                        outcome = CLIENT_CLOSED;
                        throw gone;
                    }
                }
                case RouteResult.Refused refused -> throw refusal(refused, target);
                case RouteResult.Failed failed -> throw failure(failed);
                case RouteResult.Abandoned abandoned ->
                    throw new CloseConnectionException("the client went away while its request was routed");
            }
        } finally {
            // after the answer went out: a trace log that cannot be written never holds up or fails a request
            finish(result, request, started, outcome);
        }
    }

    private void stream(
            ServerRequest req,
            ServerResponse res,
            Router router,
            ChatRequest request,
            Target target,
            String traceId,
            ObjectNode body,
            long started) {
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        SseWriter sse = new SseWriter(res, traceId, new Caller(req));
        RouteResult result = router.route(request, target, sse, traceId);
        String outcome = outcomeOf(result);
        try {
            respond(sse, result, target, includeUsage);
        } catch (ClientGone gone) {
            // it left after the answer was complete: counted as served, nothing else to do
        } finally {
            finish(result, request, started, outcome);
        }
    }

    private void respond(SseWriter sse, RouteResult result, Target target, boolean includeUsage) {
        if (result instanceof RouteResult.Abandoned) {
            throw new CloseConnectionException("the client went away during the stream");
        }
        if (!sse.started()) {
            // nothing reached the caller: an ordinary response or error, with the status it deserves
            switch (result) {
                case RouteResult.Served served -> {
                    sse.onModel(served.model(), Escalation.of(served.trace()));
                    sse.finish(served, includeUsage);
                }
                case RouteResult.Refused refused -> throw refusal(refused, target);
                case RouteResult.Failed failed -> throw failure(failed);
                case RouteResult.Abandoned abandoned -> {}
            }
            return;
        }
        switch (result) {
            case RouteResult.Served served -> sse.finish(served, includeUsage);
            case RouteResult.Refused refused -> sse.error(refusal(refused, target));
            case RouteResult.Failed failed -> sse.error(failure(failed));
            case RouteResult.Abandoned abandoned -> {}
        }
    }

    private static final String CLIENT_CLOSED = "client_closed";

    private static String outcomeOf(RouteResult result) {
        return switch (result) {
            case RouteResult.Served s -> "served";
            case RouteResult.Refused r -> "refused";
            case RouteResult.Failed f -> "failed";
            case RouteResult.Abandoned a -> CLIENT_CLOSED;
        };
    }

    /** Metrics and the trace log for one routed request; never throws. */
    private void finish(RouteResult result, ChatRequest request, long started, String outcome) {
        DecisionTrace trace = result.trace();
        if (outcome.equals(CLIENT_CLOSED) && trace.outcome() != DecisionTrace.Outcome.CLIENT_CLOSED) {
            trace = trace.withOutcome(
                    DecisionTrace.Outcome.CLIENT_CLOSED,
                    Optional.of("the client went away before the answer was sent"));
        }
        metrics.record(trace, System.nanoTime() - started, outcome);
        DecisionTrace logged = trace;
        log.ifPresent(l -> l.trace(logged, request.lastUserText()));
    }

    /**
     * The caller of a request in progress, as the router's sink: before each call after the first it checks
     * that the caller is still connected ({@link PeerProbe}), so a caller who hung up stops the chain.
     */
    private static final class Caller implements StreamSink {
        /** A served answer that took longer than this is checked for a caller still there before it is sent. */
        private static final long CHECK_AFTER_NANOS = 1_000_000_000L;

        private final ServerRequest req;

        Caller(ServerRequest req) {
            this.req = req;
        }

        @Override
        public void onText(String delta) {}

        @Override
        public void beforeAttempt() {
            if (gone()) {
                throw new ClientGone("the client went away", null);
            }
        }

        boolean gone() {
            return PeerProbe.peerClosed(
                    req.localPeer().address(), req.remotePeer().address());
        }

        /** Whether the caller left while a slow or multi-call answer was worked on (fast ones are not checked). */
        boolean goneAfter(DecisionTrace trace, long startedNanos) {
            boolean worthChecking = trace.attempts().size() > 1 || System.nanoTime() - startedNanos > CHECK_AFTER_NANOS;
            return worthChecking && gone();
        }
    }

    private void explain(ServerRequest req, ServerResponse res) {
        gatekeeper.check(req);
        ObjectNode body = gatekeeper.jsonBody(req);
        Router router = engine.get().router();
        Target target = body.has("model") ? target(body, router) : Target.AUTO;
        DecisionTrace trace = router.explain(request(body), target, HttpHygiene.id(req));
        send(res, 200, TraceJson.toJson(trace).getBytes(StandardCharsets.UTF_8));
    }

    private void models(ServerRequest req, ServerResponse res) {
        gatekeeper.check(req);
        ArrayNode data = Json.MAPPER.createArrayNode();
        Router router = engine.get().router();
        data.add(model(ALIAS, "llm-router", "the policy decides"));
        for (Route route : router.policy().routes()) {
            data.add(model(ALIAS + "/" + route.name(), "llm-router", "route " + route.name() + " decides"));
        }
        for (ModelSpec m : router.catalog().models()) {
            data.add(model(m.id(), m.provider(), "tier " + m.tier()));
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("object", "list");
        root.set("data", data);
        send(res, 200, bytes(root));
    }

    private static ObjectNode model(String id, String owner, String description) {
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("id", id);
        m.put("object", "model");
        m.put("created", 0);
        m.put("owned_by", owner);
        m.put("description", description);
        return m;
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
        if (!recent.contains(id.asText())) {
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
        ObjectNode ok = Json.MAPPER.createObjectNode();
        ok.put("trace_id", id.asText());
        ok.put("stored", true);
        send(res, 200, bytes(ok));
    }

    /** {@code model}: the alias, the alias with a route, or a catalog model. */
    private static Target target(ObjectNode body, Router router) {
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw ApiError.badRequest("model: expected '" + ALIAS + "', '" + ALIAS + "/<route>' or a catalog model id");
        }
        String name = model.asText();
        if (name.equals(ALIAS)) {
            return Target.AUTO;
        }
        if (name.startsWith(ALIAS + "/")) {
            String route = name.substring(ALIAS.length() + 1);
            if (router.policy().routes().stream().noneMatch(r -> r.name().equals(route))) {
                throw ApiError.notFound("model " + name + ": the policy has no route '" + route + "' (routes: "
                        + String.join(
                                ", ",
                                router.policy().routes().stream()
                                        .map(Route::name)
                                        .toList()) + ")");
            }
            return new Target.OfRoute(route);
        }
        if (router.catalog().model(name).isEmpty()) {
            throw ApiError.notFound("model " + name + " is neither '" + ALIAS + "', '" + ALIAS
                    + "/<route>' nor a catalog model (GET /v1/models lists them)");
        }
        return new Target.OfModel(name);
    }

    private static ChatRequest request(ObjectNode body) {
        try {
            return ChatRequest.fromOpenAiJson(body);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    private static ApiError refusal(RouteResult.Refused refused, Target target) {
        boolean pinned = target instanceof Target.OfModel;
        return new ApiError(
                pinned ? 403 : 422,
                "invalid_request_error",
                pinned ? "model_not_allowed" : "no_eligible_model",
                pinned
                        ? "the policy does not allow " + ((Target.OfModel) target).id() + " for this request"
                        : "no model may serve this request under the policy",
                refused.reasons());
    }

    private static ApiError failure(RouteResult.Failed failed) {
        ErrorKind kind = failed.lastFailure().kind();
        List<String> attempts = new ArrayList<>();
        for (DecisionTrace.AttemptView a : failed.trace().attempts()) {
            attempts.add(a.n() + ". " + a.model() + " (" + a.role().key() + "): "
                    + a.error().map(e -> e.kind().key() + ": " + e.message()).orElse("answered"));
        }
        if (kind == ErrorKind.BAD_REQUEST || kind == ErrorKind.CONTENT_FILTERED) {
            return new ApiError(
                    400,
                    "invalid_request_error",
                    kind.key(),
                    failed.lastFailure().getMessage(),
                    attempts);
        }
        return new ApiError(
                502,
                "upstream_error",
                "upstream_failed",
                "every upstream attempt failed; the last: " + kind.key() + ": "
                        + failed.lastFailure().getMessage(),
                attempts);
    }

    static void headers(ServerResponse res, String model, String traceId, Escalation escalation) {
        res.header("x-router-model", model);
        res.header("x-router-trace-id", traceId);
        res.header("x-router-escalated", escalation.header());
    }

    static byte[] completionJson(Completion c, String model, String traceId) {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.put("role", "assistant");
        message.put("content", c.text());
        if (!c.toolCalls().isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            c.toolCalls().forEach(calls::add);
        }
        ObjectNode choice = Json.MAPPER.createObjectNode();
        choice.put("index", 0);
        choice.set("message", message);
        choice.set("logprobs", logprobs(c));
        choice.put("finish_reason", c.finishReason());
        ObjectNode root = envelope("chat.completion", traceId, model);
        root.putArray("choices").add(choice);
        root.set("usage", usage(c));
        return bytes(root);
    }

    /** OpenAI's {@code logprobs} of a choice: the provider's per-token entries, or null when it sent none. */
    static JsonNode logprobs(Completion c) {
        if (c.logprobs().isEmpty()) {
            return com.fasterxml.jackson.databind.node.NullNode.getInstance();
        }
        ObjectNode logprobs = Json.MAPPER.createObjectNode();
        ArrayNode content = logprobs.putArray("content");
        c.logprobs().forEach(content::add);
        return logprobs;
    }

    static ObjectNode envelope(String object, String traceId, String model) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("id", "chatcmpl-" + traceId);
        root.put("object", object);
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", model);
        return root;
    }

    static ObjectNode usage(Completion c) {
        ObjectNode usage = Json.MAPPER.createObjectNode();
        usage.put("prompt_tokens", c.usage().inputTokens());
        usage.put("completion_tokens", c.usage().outputTokens());
        usage.put("total_tokens", c.usage().inputTokens() + c.usage().outputTokens());
        return usage;
    }

    static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    static void send(ServerResponse res, int status, byte[] body) {
        res.status(Status.create(status));
        res.header("Content-Type", "application/json");
        res.send(body);
    }

    /** Streams OpenAI chat-completion chunks as server-sent events, opening the stream at the first text. */
    private static final class SseWriter implements StreamSink {
        private final ServerResponse res;
        private final String traceId;
        private final Caller caller;
        private OutputStream out;
        private String model = "";

        SseWriter(ServerResponse res, String traceId, Caller caller) {
            this.res = res;
            this.traceId = traceId;
            this.caller = caller;
        }

        @Override
        public void beforeAttempt() {
            caller.beforeAttempt();
        }

        boolean started() {
            return out != null;
        }

        @Override
        public void onModel(String served, Escalation escalation) {
            model = served;
            res.status(Status.OK_200);
            res.header("Content-Type", "text/event-stream");
            res.header("Cache-Control", "no-cache");
            headers(res, served, traceId, escalation);
            out = res.outputStream();
            ObjectNode delta = Json.MAPPER.createObjectNode();
            delta.put("role", "assistant");
            delta.put("content", "");
            event(chunk(delta, null));
        }

        @Override
        public void onText(String text) {
            ObjectNode delta = Json.MAPPER.createObjectNode();
            delta.put("content", text);
            event(chunk(delta, null));
        }

        void finish(RouteResult.Served served, boolean includeUsage) {
            if (!served.completion().toolCalls().isEmpty()) {
                ObjectNode delta = Json.MAPPER.createObjectNode();
                ArrayNode calls = delta.putArray("tool_calls");
                int i = 0;
                for (JsonNode call : served.completion().toolCalls()) {
                    ObjectNode indexed = call.deepCopy();
                    indexed.put("index", i++);
                    calls.add(indexed);
                }
                event(chunk(delta, null));
            }
            // the answer's logprobs ride on the last chunk: a client that joins every chunk's gets them all
            event(chunk(
                    Json.MAPPER.createObjectNode(), served.completion().finishReason(), logprobs(served.completion())));
            if (includeUsage) {
                ObjectNode last = envelope("chat.completion.chunk", traceId, model);
                last.putArray("choices");
                last.set("usage", usage(served.completion()));
                event(bytes(last));
            }
            done();
        }

        void error(ApiError error) {
            write("data: " + new String(error.body(), StandardCharsets.UTF_8) + "\n\n");
            done();
        }

        private byte[] chunk(ObjectNode delta, String finishReason) {
            return chunk(delta, finishReason, com.fasterxml.jackson.databind.node.NullNode.getInstance());
        }

        private byte[] chunk(ObjectNode delta, String finishReason, JsonNode logprobs) {
            ObjectNode choice = Json.MAPPER.createObjectNode();
            choice.put("index", 0);
            choice.set("delta", delta);
            if (!logprobs.isNull()) {
                choice.set("logprobs", logprobs);
            }
            if (finishReason == null) {
                choice.putNull("finish_reason");
            } else {
                choice.put("finish_reason", finishReason);
            }
            ObjectNode root = envelope("chat.completion.chunk", traceId, model);
            root.putArray("choices").add(choice);
            return bytes(root);
        }

        private void event(byte[] json) {
            write("data: " + new String(json, StandardCharsets.UTF_8) + "\n\n");
        }

        private void done() {
            write("data: [DONE]\n\n");
            try {
                out.close();
            } catch (IOException | UncheckedIOException | CloseConnectionException e) {
                throw new ClientGone("the client went away at the end of the stream", e);
            }
        }

        private void write(String text) {
            try {
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException | UncheckedIOException | CloseConnectionException e) {
                // Helidon reports a closed connection as any of these (4.5.0: ServerConnectionException)
                throw new ClientGone("the client went away mid-stream", e);
            }
        }
    }
}
