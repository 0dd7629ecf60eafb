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
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code GET /admin/policy}: the policy in force (its document, id, version and hash). {@code PUT
 * /admin/policy}: a new policy document (YAML or JSON), admitted as at startup; a refused one keeps the old
 * policy and answers 422 with every error and its path.
 */
final class AdminApi implements HttpService {
    private final java.util.function.Supplier<Engine> engine;
    private final Gatekeeper gatekeeper;
    private final AtomicReference<JsonNode> document;

    AdminApi(java.util.function.Supplier<Engine> engine, Gatekeeper gatekeeper, JsonNode initial) {
        this.engine = engine;
        this.gatekeeper = gatekeeper;
        this.document = new AtomicReference<>(initial);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/policy", this::get).put("/policy", this::put);
    }

    private void get(ServerRequest req, ServerResponse res) {
        gatekeeper.check(req);
        OpenAiApi.send(res, 200, OpenAiApi.bytes(describe(engine.get().router().policy(), document.get())));
    }

    private void put(ServerRequest req, ServerResponse res) {
        gatekeeper.check(req);
        String text = new String(gatekeeper.body(req), StandardCharsets.UTF_8);
        JsonNode parsed;
        Policy policy;
        try {
            parsed = Documents.parse(text, "policy");
            policy = engine.get().admit(parsed);
        } catch (InvalidConfigException e) {
            throw new ApiError(
                    422,
                    "invalid_request_error",
                    "policy_refused",
                    "the policy was refused; the one in force is unchanged",
                    e.errors());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ApiError(
                    422,
                    "invalid_request_error",
                    "policy_refused",
                    "the policy was refused; the one in force is unchanged: " + e.getMessage(),
                    java.util.List.of());
        }
        document.set(parsed);
        OpenAiApi.send(res, 200, OpenAiApi.bytes(describe(policy, parsed)));
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
