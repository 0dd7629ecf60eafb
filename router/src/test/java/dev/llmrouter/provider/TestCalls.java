package dev.llmrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.catalog.ProviderSpec;
import dev.llmrouter.catalog.Timeouts;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Shared fixtures of the provider client tests. */
final class TestCalls {
    static final String SECRET = "sk-test-SECRET-4242-do-not-leak";
    static final Timeouts FAST = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(5));
    static final Timeouts SHORT = new Timeouts(Duration.ofSeconds(1), Duration.ofMillis(300), Duration.ofMillis(300));

    private TestCalls() {}

    static Function<String, Optional<String>> envWith(String name, String value) {
        Map<String, String> env = Map.of(name, value);
        return key -> Optional.ofNullable(env.get(key));
    }

    static Function<String, Optional<String>> emptyEnv() {
        return key -> Optional.empty();
    }

    static ProviderClient client(ProviderSpec.Kind kind, URI base, Function<String, Optional<String>> env) {
        String name = kind == ProviderSpec.Kind.OPENAI ? "openai" : "anthropic";
        String keyEnv = kind == ProviderSpec.Kind.OPENAI ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY";
        return ProviderClients.create(new ProviderSpec(name, kind, base, keyEnv, FAST), env);
    }

    static ProviderCall call(ChatRequest request) {
        return new ProviderCall("test-model", request, FAST);
    }

    static ProviderCall call(ChatRequest request, Timeouts timeouts) {
        return new ProviderCall("test-model", request, timeouts);
    }

    /** A request parsed from an OpenAI chat-completions body written as JSON. */
    static ChatRequest request(String openAiJson) {
        return OpenAiWire.readRequest((ObjectNode) parse(openAiJson));
    }

    static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Converts single quotes to double quotes, for readable JSON in tests. */
    static String q(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    /** A sink that records every delta. */
    static final class RecordingSink implements StreamSink {
        final List<String> deltas = new ArrayList<>();

        @Override
        public void onText(String delta) {
            deltas.add(delta);
        }
    }
}
