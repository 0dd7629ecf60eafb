package dev.llmrouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.config.Documents;
import dev.llmrouter.config.InvalidConfigException;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.request.Json;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * On the management socket. {@code GET /admin/policy}: the policy in force (its document, id, version and
 * hash). {@code PUT /admin/policy}: a new policy document (YAML or JSON), admitted as at startup; a refused one
 * keeps the old policy and answers 422 with every error and its path. {@code GET /admin/classifier}: the
 * classifier in force (id, hash, bundle folder, intents, tiers). {@code PUT /admin/classifier} with
 * {@code {"path": "<bundle folder on the router's disk>"}}: loads the bundle, admits it (its files against
 * their cards, its intents against the policy in force, its tiers against the one in force) and swaps it in
 * for the requests that start after; a refused one answers 422 with every reason. {@code GET /admin/history}:
 * every policy and classifier that went live, oldest first (with {@code router.state_dir}). {@code PUT
 * /admin/candidate} with {@code {"bundle"?: "<folder>", "policy"?: <document or YAML text>, "share"?: 0..1}}
 * starts a shadow candidate ({@link Shadow}: it decides a share of the requests beside the live router,
 * calling no model), admitted as a live change would be; {@code GET} reads what it found, {@code DELETE} stops
 * it.
 *
 * <p>Admin needs an admin key ({@code router.admin_keys}) when any is set; a router API key is refused with
 * 403, an unknown one with 401. Without admin keys the management socket must be on loopback (the settings
 * refuse anything else), and admin is open to the processes of this machine. Every change, accepted or
 * refused, and every attempt without an admin key, is written to the trace log as an audit record (when, the
 * key's fingerprint, the old and new policy hash, the result: accepted, refused, denied or not_stored) and
 * counted in {@code llm_router_admin_changes_total}.
 */
final class AdminApi implements HttpService {
    private static final Set<String> POLICY_TYPES =
            Set.of("application/json", "application/yaml", "application/x-yaml", "text/yaml");

    private final Supplier<Engine> engine;
    private final Gatekeeper admins;
    private final Gatekeeper callers;
    private final RouterMetrics metrics;
    private final Optional<TraceLog> log;

    /**
     * @param admins the admin keys
     * @param callers the router API keys, only to tell a caller who sent one that it does not open admin
     */
    AdminApi(
            Supplier<Engine> engine,
            Gatekeeper admins,
            Gatekeeper callers,
            RouterMetrics metrics,
            Optional<TraceLog> log) {
        this.engine = engine;
        this.admins = admins;
        this.callers = callers;
        this.metrics = metrics;
        this.log = log;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/policy", this::get)
                .put("/policy", this::put)
                .get("/classifier", this::getClassifier)
                .put("/classifier", this::putClassifier)
                .get("/history", this::history)
                .put("/candidate", this::putCandidate)
                .get("/candidate", this::getCandidate)
                .delete("/candidate", this::deleteCandidate)
                .post("/candidate/promote", this::promote);
    }

    private void check(ServerRequest req) {
        if (admins.open() || admins.holdsKey(req)) {
            return;
        }
        if (!callers.open() && callers.holdsKey(req)) {
            throw new ApiError(
                    403,
                    "permission_error",
                    "admin_key_required",
                    "a router API key does not open admin: send an admin key (router.admin_keys)",
                    List.of());
        }
        throw new ApiError(
                401,
                "authentication_error",
                "invalid_admin_key",
                "missing or unknown admin key: send 'Authorization: Bearer <key>' with a key from router.admin_keys"
                        + " (or LLM_ROUTER_ADMIN_KEYS)",
                List.of());
    }

    private void get(ServerRequest req, ServerResponse res) {
        check(req);
        Engine.Live live = engine.get().live();
        OpenAiApi.send(res, 200, OpenAiApi.bytes(describe(live.router().policy(), live.document())));
    }

    private void put(ServerRequest req, ServerResponse res) {
        String by = Gatekeeper.fingerprint(req);
        ObjectNode change = Json.MAPPER.createObjectNode();
        change.put("old_policy_hash", engine.get().live().router().policy().hash());
        checked(req, "policy_replace", by, change);
        Gatekeeper.mediaType(req, POLICY_TYPES);
        String text = new String(admins.body(req), StandardCharsets.UTF_8);
        Engine.Live accepted = admitted("policy_replace", by, change, "policy", "the policy", () -> engine.get()
                .admit(Documents.parse(text, "policy"), by));
        Policy policy = accepted.router().policy();
        change.put("new_policy_hash", policy.hash());
        change.put("new_policy_version", policy.version());
        audit("policy_replace", by, change, "accepted", List.of());
        metrics.policyInForce(policy);
        OpenAiApi.send(res, 200, OpenAiApi.bytes(describe(policy, accepted.document())));
    }

    /** Checks the admin key; a request without one is audited as {@code action}, denied. */
    private void checked(ServerRequest req, String action, String by, ObjectNode change) {
        try {
            check(req);
        } catch (ApiError denied) {
            audit(action, by, change, "denied", List.of(denied.getMessage()));
            throw denied;
        }
    }

    /** The request's JSON object body, or null when it is not one. */
    private JsonNode jsonObject(ServerRequest req) {
        Gatekeeper.mediaType(req, Set.of("application/json"));
        try {
            JsonNode body = Json.MAPPER.readTree(admins.body(req));
            return body != null && body.isObject() ? body : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * Runs an admission: a refusal is audited as {@code action} and answered 422 with every reason
     * ({@code <name>_refused}); a change admitted but not kept in the state folder, 500
     * ({@code <name>_not_stored}). Either way nothing in force changed.
     */
    private <T> T admitted(
            String action, String by, ObjectNode change, String name, String what, Supplier<T> admission) {
        try {
            return admission.get();
        } catch (InvalidConfigException e) {
            audit(action, by, change, "refused", e.errors());
            throw new ApiError(
                    422,
                    "invalid_request_error",
                    name + "_refused",
                    what + " was refused; what is in force is unchanged",
                    e.errors());
        } catch (IllegalArgumentException | IllegalStateException e) {
            audit(action, by, change, "refused", List.of(e.getMessage()));
            throw new ApiError(
                    422,
                    "invalid_request_error",
                    name + "_refused",
                    what + " was refused; what is in force is unchanged: " + e.getMessage(),
                    List.of(e.getMessage()));
        } catch (UncheckedIOException e) {
            audit(action, by, change, "not_stored", List.of(e.getMessage()));
            throw new ApiError(
                    500,
                    "server_error",
                    name + "_not_stored",
                    what + " was admitted but could not be kept, so what is in force is unchanged: " + e.getMessage(),
                    List.of());
        }
    }

    private void audit(String action, String by, ObjectNode change, String result, List<String> errors) {
        metrics.adminChange(action, result);
        ObjectNode record = Json.MAPPER.createObjectNode();
        record.put("action", action);
        record.put("result", result);
        record.put("key_fingerprint", by);
        record.setAll(change);
        if (!errors.isEmpty()) {
            errors.stream()
                    .limit(20)
                    .map(m -> m.length() <= 300 ? m : m.substring(0, 299) + "…")
                    .forEach(record.putArray("errors")::add);
        }
        log.ifPresent(l -> l.audit(record));
    }

    private void getClassifier(ServerRequest req, ServerResponse res) {
        check(req);
        OpenAiApi.send(res, 200, OpenAiApi.bytes(describe(engine.get().live())));
    }

    private void putClassifier(ServerRequest req, ServerResponse res) {
        String by = Gatekeeper.fingerprint(req);
        ObjectNode change = Json.MAPPER.createObjectNode();
        change.put(
                "old_classifier_hash",
                engine.get().live().router().classifier().info().hash());
        checked(req, "classifier_replace", by, change);
        JsonNode body = jsonObject(req);
        if (body == null
                || !body.path("path").isTextual()
                || body.path("path").asText().isBlank()) {
            audit("classifier_replace", by, change, "refused", List.of("no path"));
            throw new ApiError(
                    400,
                    "invalid_request_error",
                    "bundle_path_required",
                    "send {\"path\": \"<bundle folder on the router's disk>\"}",
                    List.of());
        }
        Path folder = Path.of(body.path("path").asText());
        change.put("bundle", folder.toString());
        Engine.Live accepted = admitted("classifier_replace", by, change, "classifier", "the bundle", () -> engine.get()
                .replaceClassifier(folder, by));
        ClassifierInfo info = accepted.router().classifier().info();
        change.put("new_classifier_hash", info.hash());
        change.put("new_classifier_id", info.id());
        audit("classifier_replace", by, change, "accepted", List.of());
        metrics.classifierInUse(info.id());
        OpenAiApi.send(res, 200, OpenAiApi.bytes(describe(accepted)));
    }

    private void putCandidate(ServerRequest req, ServerResponse res) {
        String by = Gatekeeper.fingerprint(req);
        ObjectNode change = Json.MAPPER.createObjectNode();
        checked(req, "candidate_start", by, change);
        JsonNode body = jsonObject(req);
        List<String> problems = new java.util.ArrayList<>();
        if (body == null) {
            problems.add("send a JSON object: {\"bundle\"?: \"<folder>\", \"policy\"?: <document>, \"share\"?: 1}");
        }
        Optional<Path> bundle = Optional.empty();
        Optional<JsonNode> policy = Optional.empty();
        double share = 1;
        Optional<Canary.Settings> canary = Optional.empty();
        if (problems.isEmpty()) {
            JsonNode b = body.path("bundle");
            JsonNode p = body.path("policy");
            JsonNode s = body.path("share");
            if (!b.isMissingNode() && !(b.isTextual() && !b.asText().isBlank())) {
                problems.add("bundle: expected the path of a bundle folder on the router's disk");
            } else if (b.isTextual()) {
                bundle = Optional.of(Path.of(b.asText()));
            }
            if (p.isTextual()) {
                try {
                    policy = Optional.of(Documents.parse(p.asText(), "policy"));
                } catch (InvalidConfigException e) {
                    problems.addAll(e.errors());
                }
            } else if (p.isObject()) {
                policy = Optional.of(p);
            } else if (!p.isMissingNode()) {
                problems.add("policy: expected a policy document (an object, or YAML text)");
            }
            if (!s.isMissingNode() && !(s.isNumber() && s.asDouble() > 0 && s.asDouble() <= 1)) {
                problems.add("share: expected a number above 0 and at most 1, got " + s);
            } else if (s.isNumber()) {
                share = s.asDouble();
            }
            if (bundle.isEmpty() && policy.isEmpty()) {
                problems.add("name a candidate: a bundle, a policy, or both");
            }
            canary = canarySettings(body, problems);
        }
        bundle.ifPresent(b -> change.put("bundle", b.toString()));
        if (!problems.isEmpty()) {
            audit("candidate_start", by, change, "refused", problems);
            throw new ApiError(
                    400, "invalid_request_error", "candidate_invalid", "the candidate request is invalid", problems);
        }
        Optional<JsonNode> candidatePolicy = policy;
        Optional<Path> candidateBundle = bundle;
        double candidateShare = share;
        Optional<Canary.Settings> canarySettings = canary;
        Shadow started = admitted("candidate_start", by, change, "candidate", "the candidate", () -> engine.get()
                .startCandidate(candidatePolicy, candidateBundle, candidateShare, canarySettings));
        ObjectNode described = started.describe();
        change.put("candidate", described.path("candidate").asText());
        change.put("candidate_policy_hash", described.path("policy_hash").asText());
        change.put(
                "candidate_classifier_hash", described.path("classifier_hash").asText());
        audit("candidate_start", by, change, "accepted", List.of());
        OpenAiApi.send(res, 200, OpenAiApi.bytes(described));
    }

    /**
     * {@code "mode": "canary"} with its settings ({@code promote_after}, {@code min_requests},
     * {@code max_error_rate_increase}, {@code max_feedback_drop}, {@code max_cost_increase}, {@code auto_promote},
     * {@code alpha}); empty for {@code "shadow"} (the default).
     */
    private static Optional<Canary.Settings> canarySettings(JsonNode body, List<String> problems) {
        String mode = body.path("mode").asText("shadow");
        if (!mode.equals("shadow") && !mode.equals("canary")) {
            problems.add("mode: expected shadow or canary, got '" + mode + "'");
            return Optional.empty();
        }
        for (String field : List.of(
                "promote_after",
                "min_requests",
                "max_error_rate_increase",
                "max_feedback_drop",
                "max_cost_increase",
                "auto_promote",
                "alpha",
                "assign_by")) {
            if (mode.equals("shadow") && body.has(field)) {
                problems.add(field + ": a canary setting; add \"mode\": \"canary\"");
            }
        }
        if (!mode.equals("canary")) {
            return Optional.empty();
        }
        Canary.Settings d = Canary.Settings.DEFAULT;
        int promoteAfter = count(body, "promote_after", d.promoteAfter(), problems);
        int minRequests = count(body, "min_requests", d.minRequests(), problems);
        if (minRequests > promoteAfter) {
            problems.add("min_requests: " + minRequests + " is above promote_after (" + promoteAfter + ")");
        }
        return Optional.of(new Canary.Settings(
                promoteAfter,
                minRequests,
                share(body, "max_error_rate_increase", d.errorMargin(), problems),
                share(body, "max_feedback_drop", d.feedbackMargin(), problems),
                share(body, "max_cost_increase", d.costMargin(), problems),
                body.path("auto_promote").asBoolean(d.autoPromote()),
                share(body, "alpha", d.alpha(), problems),
                assignBy(body, problems)));
    }

    private static Canary.AssignBy assignBy(JsonNode body, List<String> problems) {
        String by = body.path("assign_by").asText("trace");
        for (Canary.AssignBy a : Canary.AssignBy.values()) {
            if (a.name().toLowerCase(java.util.Locale.ROOT).equals(by)) {
                return a;
            }
        }
        problems.add("assign_by: expected trace, api_key or user, got '" + by + "'");
        return Canary.AssignBy.TRACE;
    }

    private static int count(JsonNode body, String field, int otherwise, List<String> problems) {
        JsonNode v = body.path(field);
        if (v.isMissingNode()) {
            return otherwise;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 10) {
            problems.add(field + ": expected a whole number of requests, at least 10, got " + v);
            return otherwise;
        }
        return v.asInt();
    }

    private static double share(JsonNode body, String field, double otherwise, List<String> problems) {
        JsonNode v = body.path(field);
        if (v.isMissingNode()) {
            return otherwise;
        }
        if (!v.isNumber() || v.asDouble() <= 0 || v.asDouble() >= 1) {
            problems.add(field + ": expected a number between 0 and 1, got " + v);
            return otherwise;
        }
        return v.asDouble();
    }

    private void promote(ServerRequest req, ServerResponse res) {
        String by = Gatekeeper.fingerprint(req);
        ObjectNode change = Json.MAPPER.createObjectNode();
        checked(req, "candidate_promote", by, change);
        Optional<Shadow> running = engine.get().candidate();
        if (running.isEmpty()) {
            audit("candidate_promote", by, change, "refused", List.of("no candidate runs"));
            throw new ApiError(409, "invalid_request_error", "no_candidate", "no candidate runs", List.of());
        }
        change.set("found", running.get().describe());
        Engine.Live live = admitted("candidate_promote", by, change, "candidate", "the promotion", () -> engine.get()
                .promote(running.get(), by));
        change.put("new_policy_hash", live.router().policy().hash());
        change.put("new_classifier_hash", live.router().classifier().info().hash());
        audit("candidate_promote", by, change, "accepted", List.of());
        metrics.policyInForce(live.router().policy());
        metrics.classifierInUse(live.router().classifier().info().id());
        OpenAiApi.send(res, 200, OpenAiApi.bytes(change));
    }

    private void getCandidate(ServerRequest req, ServerResponse res) {
        check(req);
        OpenAiApi.send(
                res,
                200,
                OpenAiApi.bytes(
                        engine.get().candidate().<JsonNode>map(Shadow::describe).orElseGet(Shadow::none)));
    }

    private void deleteCandidate(ServerRequest req, ServerResponse res) {
        String by = Gatekeeper.fingerprint(req);
        ObjectNode change = Json.MAPPER.createObjectNode();
        checked(req, "candidate_stop", by, change);
        Optional<Shadow> stopped = engine.get().stopCandidate();
        JsonNode found = stopped.<JsonNode>map(Shadow::describe).orElseGet(Shadow::none);
        change.set("found", found);
        audit(
                "candidate_stop",
                by,
                change,
                stopped.isPresent() ? "accepted" : "refused",
                stopped.isPresent() ? List.of() : List.of("no candidate runs"));
        OpenAiApi.send(res, 200, OpenAiApi.bytes(found));
    }

    private void history(ServerRequest req, ServerResponse res) {
        check(req);
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode data = root.putArray("data");
        engine.get().store().ifPresent(s -> s.history().forEach(e -> {
            ObjectNode line = data.addObject();
            line.put("at", e.at().toString());
            line.put("kind", e.kind());
            line.put("hash", e.hash());
            line.put("id", e.id());
            line.put("by", e.by());
            line.put("source", e.source());
            e.copy().ifPresent(c -> line.put("copy", c));
        }));
        OpenAiApi.send(res, 200, OpenAiApi.bytes(root));
    }

    private static ObjectNode describe(Engine.Live live) {
        ClassifierInfo info = live.router().classifier().info();
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("id", info.id());
        root.put("hash", info.hash());
        live.models().bundle().ifPresent(b -> root.put("bundle", b.toString()));
        new java.util.TreeSet<>(live.router().classifier().intents()).forEach(root.putArray("intents")::add);
        return root;
    }

    private static ObjectNode describe(Policy policy, JsonNode document) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("id", policy.id());
        root.put("version", policy.version());
        root.put("hash", policy.hash());
        root.set("document", document);
        return root;
    }
}
