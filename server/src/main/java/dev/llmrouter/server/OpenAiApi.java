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
import dev.llmrouter.provider.ErrorKind;
import dev.llmrouter.provider.OpenAiWire;
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
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The OpenAI-compatible API: {@code POST /v1/chat/completions} (blocking, or streamed by {@link SseWriter}),
 * {@code GET /v1/models} and {@code POST /v1/route} (the decision and its trace, no model called); the wire
 * format is {@link OpenAiWire}'s, and {@code POST /v1/feedback} is {@link FeedbackApi}'s.
 * {@code model} is a router alias ({@code router}, or {@code router/<route>} to force a route) or a catalog
 * model, which the matching route's filters still judge.
 */
final class OpenAiApi implements HttpService {
    private static final System.Logger LOG = System.getLogger(OpenAiApi.class.getName());

    static final String ALIAS = "router";

    private final java.util.function.Supplier<Engine> engine;
    private final Gatekeeper gatekeeper;
    private final RouterMetrics metrics;
    private final Optional<TraceLog> log;
    private final RecentTraces recent;

    /** {@code recent}: where each routed request's trace id goes, for {@link FeedbackApi} to find. */
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
        rules.post("/chat/completions", this::chat).get("/models", this::models).post("/route", this::explain);
    }

    private void chat(ServerRequest req, ServerResponse res) {
        gatekeeper.check(req);
        ObjectNode body = gatekeeper.jsonBody(req);
        // the classifier this request routes with stays open until it is done, even if replaced meanwhile
        try (Engine.Lease lease = engine.get().lease()) {
            String traceId = HttpHygiene.id(req);
            Optional<Shadow> canary = engine.get()
                    .candidate()
                    .filter(c ->
                            c.canary().isPresent() && c.sampled(unit(c.canary().get(), req, body, traceId)))
                    .filter(c -> c.models().hold());
            if (canary.isEmpty()) {
                chat(req, res, body, lease.router(), Canary.Arm.CONTROL);
                return;
            }
            try {
                chat(req, res, body, canary.get().router(), Canary.Arm.CANARY);
            } finally {
                canary.get().models().release();
            }
        }
    }

    /** What puts a request in a canary's arm: its trace id, the caller's API key, or its {@code user} field. */
    private static String unit(Canary canary, ServerRequest req, ObjectNode body, String traceId) {
        return switch (canary.settings().assignBy()) {
            case TRACE -> traceId;
            case API_KEY -> Gatekeeper.fingerprint(req);
            case USER ->
                body.path("user").isTextual() ? "user:" + body.path("user").asText() : traceId;
        };
    }

    private void chat(ServerRequest req, ServerResponse res, ObjectNode body, Router router, Canary.Arm arm) {
        Target target = target(body, router);
        ChatRequest request = request(body);
        String traceId = HttpHygiene.id(req);
        recent.add(traceId); // before the answer: a caller may send feedback the moment it has it
        long started = System.nanoTime();
        if (request.stream()) {
            stream(req, res, router, request, target, traceId, body, started, arm);
            return;
        }
        Caller caller = new Caller(req);
        RouteResult result = router.route(request, target, caller, traceId, Gatekeeper.fingerprint(req));
        String outcome = outcomeOf(result);
        try {
            switch (result) {
                case RouteResult.Served served -> {
                    if (caller.goneAfterAWhile()) {
                        outcome = CLIENT_CLOSED;
                        throw new CloseConnectionException("the client went away before the answer was sent");
                    }
                    headers(res, served.model(), traceId, Escalation.of(served.trace()));
                    try {
                        send(res, 200, OpenAiWire.writeCompletion(served.completion(), served.model(), traceId));
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
            finish(result, request, target, started, outcome, arm);
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
            long started,
            Canary.Arm arm) {
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        SseWriter sse = new SseWriter(res, traceId, new Caller(req));
        RouteResult result = router.route(request, target, sse, traceId, Gatekeeper.fingerprint(req));
        String outcome = outcomeOf(result);
        try {
            respond(sse, result, target, includeUsage);
        } catch (ClientGone gone) {
            // it left after the answer was complete: counted as served, nothing else to do
        } finally {
            finish(result, request, target, started, outcome, arm);
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
    private void finish(
            RouteResult result, ChatRequest request, Target target, long started, String outcome, Canary.Arm arm) {
        DecisionTrace trace = result.trace();
        if (outcome.equals(CLIENT_CLOSED) && trace.outcome() != DecisionTrace.Outcome.CLIENT_CLOSED) {
            trace = trace.withOutcome(
                    DecisionTrace.Outcome.CLIENT_CLOSED,
                    Optional.of("the client went away before the answer was sent"));
        }
        String model = trace.servedBy().orElse("none");
        String provider = trace.servedBy()
                .flatMap(m -> engine.get().router().catalog().model(m))
                .map(ModelSpec::provider)
                .orElse("none");
        metrics.record(trace, System.nanoTime() - started, outcome, provider);
        recent.served(
                trace.traceId(), trace.route().orElse("none"), model, trace.outcome() == DecisionTrace.Outcome.SERVED);
        DecisionTrace logged = trace;
        log.ifPresent(l -> l.trace(logged, request.lastUserText(), request.earlierUserTurns()));
        boolean shadow = logged.exploration()
                .filter(e -> e.mode().equals("shadow") && e.model().isPresent())
                .isPresent();
        if (shadow && logged.servedBy().isPresent()) {
            // after the caller has its answer, on its own thread: the explored model never delays a request
            Thread.ofVirtual().name("explore-" + logged.traceId()).start(() -> explore(request, logged));
        }
        engine.get().candidate().ifPresent(c -> c.canary().ifPresent(k -> canary(c, k, arm, logged, outcome)));
        engine.get()
                .candidate()
                .filter(c -> c.canary().isEmpty() && c.sampled(logged.traceId()))
                .ifPresent(c -> Thread.ofVirtual()
                        .name("shadow-" + logged.traceId())
                        .start(() -> shadow(c, request, target, logged)));
    }

    /**
     * The candidate decides the request the live router served (no model is called) and the two decisions are
     * compared, counted and logged.
     */
    private void shadow(Shadow candidate, ChatRequest request, Target target, DecisionTrace live) {
        if (!candidate.models().hold()) {
            return; // stopped meanwhile
        }
        try {
            DecisionTrace decided = candidate.router().explain(request, target, live.traceId());
            Optional<Shadow.Side> liveSide = Shadow.side(engine.get().router(), live);
            Optional<Shadow.Side> shadowSide = Shadow.side(candidate.router(), decided);
            if (liveSide.isPresent() && shadowSide.isPresent()) {
                ObjectNode line = candidate.compare(live.traceId(), liveSide.get(), shadowSide.get());
                metrics.shadowed(liveSide.get(), shadowSide.get());
                log.ifPresent(l -> l.shadow(line));
            }
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "the candidate could not decide " + live.traceId() + ": " + e.getMessage());
        } finally {
            candidate.models().release();
        }
    }

    /**
     * Counts a request in its canary arm; rolls the candidate back when a guardrail is crossed, promotes it when
     * it held and the canary promotes itself. Either is audited (by {@code router}: no key made it).
     */
    private void canary(Shadow candidate, Canary canary, Canary.Arm arm, DecisionTrace trace, String outcome) {
        metrics.canaryRequest(arm, trace.route().orElse("none"), outcome);
        switch (canary.record(arm, trace, outcome)) {
            case Canary.Violated v -> {
                if (engine.get().rollBack(candidate)) {
                    automatic("candidate_rollback", candidate.describe(), v.reasons());
                    LOG.log(System.Logger.Level.WARNING, "canary rolled back: " + String.join("; ", v.reasons()));
                }
            }
            case Canary.Ready r -> {
                if (canary.settings().autoPromote()) {
                    try {
                        Engine.Live live = engine.get().promote(candidate, "router");
                        automatic("candidate_promote", candidate.describe(), List.of());
                        metrics.policyInForce(live.router().policy());
                        metrics.classifierInUse(
                                live.router().classifier().info().id());
                    } catch (RuntimeException e) {
                        // promoted or stopped by another request meanwhile, or refused: say which
                        LOG.log(System.Logger.Level.INFO, "canary not promoted: " + e.getMessage());
                    }
                }
            }
            case Canary.Running r -> {}
        }
    }

    /** An audit record of a change the router made itself. */
    private void automatic(String action, ObjectNode change, List<String> reasons) {
        metrics.adminChange(action, "accepted");
        ObjectNode record = Json.MAPPER.createObjectNode();
        record.put("action", action);
        record.put("result", "accepted");
        record.put("key_fingerprint", "router");
        record.setAll(change);
        reasons.forEach(record.withArray("errors")::add);
        log.ifPresent(l -> l.audit(record));
    }

    /** Calls the model a shadow exploration drew, gates its answer, and logs and counts what it did. */
    private void explore(ChatRequest request, DecisionTrace routed) {
        try (Engine.Lease lease = engine.get().lease()) {
            lease.router().explore(request, routed).ifPresent(answer -> {
                metrics.explored(answer);
                log.ifPresent(l -> l.exploration(answer));
            });
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "the shadow exploration of " + routed.traceId() + " failed: " + e.getMessage());
        }
    }

    private void explain(ServerRequest req, ServerResponse res) {
        gatekeeper.check(req);
        ObjectNode body = gatekeeper.jsonBody(req);
        DecisionTrace trace;
        try (Engine.Lease lease = engine.get().lease()) {
            Router router = lease.router();
            Target target = body.has("model") ? target(body, router) : Target.AUTO;
            trace = router.explain(request(body), target, HttpHygiene.id(req));
        }
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
            return OpenAiWire.readRequest(body);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    private static ApiError refusal(RouteResult.Refused refused, Target target) {
        if (refused.budgetResetsAt().isPresent()) {
            return ApiError.budgetExhausted(
                    refused.reasons(), refused.budgetResetsAt().get(), java.time.Instant.now());
        }
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

    static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    static void send(ServerResponse res, int status, byte[] body) {
        res.status(Status.create(status));
        res.header("Content-Type", "application/json");
        res.send(body);
    }
}
