package dev.llmrouter.fuzz;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.CatalogLoader;
import dev.llmrouter.classify.HeuristicClassifier;
import dev.llmrouter.config.Documents;
import dev.llmrouter.config.InvalidConfigException;
import dev.llmrouter.engine.Fixtures;
import dev.llmrouter.engine.Router;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.provider.OpenAiWire;
import dev.llmrouter.provider.ScriptedProvider;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing of what the router reads from outside: request bodies, policies and catalogs. Whatever the input,
 * the only failures are the documented ones: a {@link JacksonException} for text that is not JSON, an
 * {@link IllegalArgumentException} naming the field for a request, an {@link InvalidConfigException} listing
 * every error for a document. Anything else (a NullPointerException, a ClassCastException, ...) fails the
 * property, and jqwik prints the shrunk input and the seed to replay it.
 */
class DocumentFuzzTest {
    static final List<String> REQUEST_WORDS = List.of(
            "model",
            "messages",
            "role",
            "content",
            "type",
            "text",
            "image_url",
            "url",
            "tool_calls",
            "tools",
            "tool_choice",
            "function",
            "functions",
            "name",
            "arguments",
            "parameters",
            "max_tokens",
            "max_completion_tokens",
            "n",
            "stream",
            "stream_options",
            "include_usage",
            "metadata",
            "risk_class",
            "response_format",
            "json_object",
            "json_schema",
            "logprobs",
            "top_logprobs",
            "temperature",
            "user",
            "system",
            "assistant",
            "tool",
            "router",
            "router/default",
            "confidential");
    static final List<String> POLICY_WORDS = List.of(
            "id",
            "version",
            "description",
            "default_risk_class",
            "risk_classes",
            "defaults",
            "routes",
            "name",
            "match",
            "intents",
            "metadata",
            "filter",
            "capabilities",
            "regions",
            "max_input_price",
            "max_output_price",
            "max_request_cost",
            "allowed_models",
            "denied_models",
            "min_tier",
            "max_tier",
            "rank",
            "by",
            "cheapest",
            "fastest",
            "quality",
            "expected_output_tokens",
            "select",
            "start",
            "failover",
            "auto",
            "mutate",
            "clamp_max_tokens",
            "drop_unsupported_params",
            "default_max_tokens",
            "fallback",
            "on",
            "max_attempts",
            "max_retry_after",
            "cooldown",
            "after_failures",
            "for",
            "cascade",
            "enabled",
            "quality_floor",
            "quality_gap",
            "gate_threshold",
            "max_escalations",
            "streaming",
            "buffer",
            "skip",
            "on_escalation_failure",
            "serve",
            "fail",
            "small-a",
            "mid",
            "big-eu",
            "eu",
            "us",
            "math",
            "code",
            "server_error",
            "rate_limited",
            "30s",
            "PT1S",
            "standard",
            "confidential",
            "tools",
            "logprobs");
    static final List<String> CATALOG_WORDS = List.of(
            "prices_as_of",
            "regions",
            "providers",
            "models",
            "id",
            "upstream_id",
            "provider",
            "tier",
            "price",
            "input",
            "output",
            "context_window",
            "max_output_tokens",
            "capabilities",
            "region",
            "unsupported_params",
            "latency",
            "kind",
            "openai",
            "anthropic",
            "base_url",
            "api_key_env",
            "timeouts",
            "connect",
            "first_byte",
            "total",
            "fake",
            "eu",
            "us",
            "tools",
            "json_output",
            "vision",
            "streaming",
            "logprobs",
            "2026-01-01",
            "http://127.0.0.1:1/v1",
            "1s");

    static final Catalog CATALOG = Fixtures.catalog();
    static final Router ROUTER = Fixtures.router(
            Fixtures.policy(),
            new HeuristicClassifier(),
            new ScriptedProvider(new dev.llmrouter.engine.FakeClock()),
            new dev.llmrouter.engine.FakeClock());

    @Provide
    Arbitrary<String> requestBodies() {
        return FuzzInputs.text(REQUEST_WORDS, 5);
    }

    /** A body read as the server reads it, then as a request, then decided: only documented failures. */
    @Property(tries = 3000)
    void aRequestBodyFailsOnlyAsDocumented(@ForAll("requestBodies") String body) {
        JsonNode node;
        try {
            node = Json.STRICT.readTree(body);
        } catch (JacksonException e) {
            return;
        }
        if (!(node instanceof ObjectNode object)) {
            return;
        }
        ChatRequest request;
        try {
            request = OpenAiWire.readRequest(object);
        } catch (IllegalArgumentException e) {
            return;
        }
        request.requiredCapabilities();
        ROUTER.explain(request);
    }

    @Provide
    Arbitrary<JsonNode> policies() {
        return documents("test-policy.yaml", POLICY_WORDS);
    }

    @Property(tries = 3000)
    void policyAdmissionRefusesOnlyWithItsErrorList(@ForAll("policies") JsonNode document) {
        try {
            PolicyLoader.admit(document, "fuzzed", CATALOG, Fixtures.INTENTS);
        } catch (InvalidConfigException e) {
            if (e.errors().isEmpty()) {
                throw new AssertionError("refused without a reason", e);
            }
        }
    }

    @Provide
    Arbitrary<JsonNode> catalogs() {
        return documents("test-catalog.yaml", CATALOG_WORDS);
    }

    /** Trees made from the vocabulary, and the fixture document with a few of its nodes changed. */
    static Arbitrary<JsonNode> documents(String fixture, List<String> words) {
        JsonNode base = Documents.read(Fixtures.resource(fixture));
        return Arbitraries.oneOf(
                FuzzInputs.tree(words, 6), Arbitraries.longs().map(seed -> mutated(new Random(seed), base, words)));
    }

    @Property(tries = 3000)
    void catalogAdmissionRefusesOnlyWithItsErrorList(@ForAll("catalogs") JsonNode document) {
        try {
            CatalogLoader.admit(document, "fuzzed");
        } catch (InvalidConfigException e) {
            if (e.errors().isEmpty()) {
                throw new AssertionError("refused without a reason", e);
            }
        }
    }

    /** A valid document with one to four of its nodes replaced, removed or added: the errors a person makes. */
    static JsonNode mutated(Random random, JsonNode base, List<String> words) {
        JsonNode copy = base.deepCopy();
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            List<JsonNode> containers = new ArrayList<>();
            collect(copy, containers);
            JsonNode target = containers.get(random.nextInt(containers.size()));
            JsonNode value = FuzzInputs.value(random, words, 2);
            if (target instanceof ObjectNode object) {
                List<String> names = new ArrayList<>();
                Iterator<String> it = object.fieldNames();
                it.forEachRemaining(names::add);
                int op = random.nextInt(3);
                if (op == 0 || names.isEmpty()) {
                    object.set(FuzzInputs.key(random, words), value);
                } else if (op == 1) {
                    object.remove(names.get(random.nextInt(names.size())));
                } else {
                    object.set(names.get(random.nextInt(names.size())), value);
                }
            } else if (target instanceof ArrayNode array) {
                if (array.isEmpty() || random.nextBoolean()) {
                    array.add(value);
                } else {
                    array.set(random.nextInt(array.size()), value);
                }
            }
        }
        return copy;
    }

    private static void collect(JsonNode node, List<JsonNode> into) {
        if (node.isContainerNode()) {
            into.add(node);
            node.forEach(child -> collect(child, into));
        }
    }
}
