package dev.llmrouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * On the management socket. {@code GET /admin/policy}: the policy in force (its document, id, version and
 * hash). {@code PUT /admin/policy}: a new policy document (YAML or JSON), admitted as at startup; a refused one
 * keeps the old policy and answers 422 with every error and its path.
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
        rules.get("/policy", this::get).put("/policy", this::put);
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
        String before = engine.get().live().router().policy().hash();
        try {
            check(req);
        } catch (ApiError denied) {
            audit(by, before, Optional.empty(), "denied", List.of(denied.getMessage()));
            throw denied;
        }
        Gatekeeper.mediaType(req, POLICY_TYPES);
        String text = new String(admins.body(req), StandardCharsets.UTF_8);
        Engine.Live accepted;
        try {
            JsonNode parsed = Documents.parse(text, "policy");
            accepted = engine.get().admit(parsed, by);
        } catch (InvalidConfigException e) {
            audit(by, before, Optional.empty(), "refused", e.errors());
            throw new ApiError(
                    422,
                    "invalid_request_error",
                    "policy_refused",
                    "the policy was refused; the one in force is unchanged",
                    e.errors());
        } catch (IllegalArgumentException | IllegalStateException e) {
            audit(by, before, Optional.empty(), "refused", List.of(e.getMessage()));
            throw new ApiError(
                    422,
                    "invalid_request_error",
                    "policy_refused",
                    "the policy was refused; the one in force is unchanged: " + e.getMessage(),
                    List.of());
        } catch (UncheckedIOException e) {
            audit(by, before, Optional.empty(), "not_stored", List.of(e.getMessage()));
            throw new ApiError(
                    500,
                    "server_error",
                    "policy_not_stored",
                    "the policy was admitted but could not be kept, so the one in force is unchanged: "
                            + e.getMessage(),
                    List.of());
        }
        Policy policy = accepted.router().policy();
        audit(by, before, Optional.of(policy), "accepted", List.of());
        metrics.policyInForce(policy);
        OpenAiApi.send(res, 200, OpenAiApi.bytes(describe(policy, accepted.document())));
    }

    private void audit(String by, String before, Optional<Policy> after, String result, List<String> errors) {
        metrics.adminChange("policy_replace", result);
        ObjectNode record = Json.MAPPER.createObjectNode();
        record.put("action", "policy_replace");
        record.put("result", result);
        record.put("key_fingerprint", by);
        record.put("old_policy_hash", before);
        after.ifPresent(p -> {
            record.put("new_policy_hash", p.hash());
            record.put("new_policy_version", p.version());
        });
        if (!errors.isEmpty()) {
            errors.stream()
                    .limit(20)
                    .map(m -> m.length() <= 300 ? m : m.substring(0, 299) + "…")
                    .forEach(record.putArray("errors")::add);
        }
        log.ifPresent(l -> l.audit(record));
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
