package dev.llmrouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.fuzz.FuzzInputs;
import dev.llmrouter.request.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzing of the HTTP API with request bodies a careless or hostile client sends: every answer is a 2xx or a
 * 4xx in OpenAI's error shape, never a 5xx (the upstream is the simulated provider, which never fails here).
 */
class ApiFuzzTest {
    static final List<String> WORDS = List.of(
            "model",
            "messages",
            "role",
            "user",
            "system",
            "assistant",
            "tool",
            "content",
            "type",
            "text",
            "image_url",
            "url",
            "tools",
            "tool_choice",
            "function",
            "name",
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
            "logprobs",
            "temperature",
            "router",
            "router/code",
            "gpt-4o-mini",
            "trace_id",
            "score",
            "comment",
            "confidential");
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static RouterServer server;
    static Path dir;

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("api-fuzz");
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Path config = Files.writeString(dir.resolve("server.yaml"), """
                server: {port: 0, management: {port: 0}}
                router:
                  catalog: %1$s/config/catalog.yaml
                  policy: %1$s/config/policy.yaml
                  classifier: heuristic
                  trace: {dir: traces, prompts: none}
                  simulated: {latency_ms: 0, error_rate: 0}
                """.formatted(repo));
        server = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), dir);
    }

    @AfterContainer
    static void stop() throws Exception {
        server.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<String> bodies() {
        return Arbitraries.longs().map(seed -> {
            Random random = new Random(seed);
            String json = FuzzInputs.object(random, WORDS, 5).toString();
            return random.nextInt(3) == 0 ? FuzzInputs.mutate(random, json) : json;
        });
    }

    @Property(tries = 600)
    void noBodyMakesTheServerFail(@ForAll("bodies") String body, @ForAll("paths") String path) throws Exception {
        HttpResponse<String> res = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() >= 500) {
            throw new AssertionError(res.statusCode() + " for " + body + ": " + res.body());
        }
        if (res.statusCode() >= 400) {
            JsonNode error = Json.MAPPER.readTree(res.body()).path("error");
            if (!error.path("message").isTextual() || !error.path("code").isTextual()) {
                throw new AssertionError("not in OpenAI's error shape: " + res.body());
            }
        }
    }

    @Provide
    Arbitrary<String> paths() {
        return Arbitraries.of("/v1/chat/completions", "/v1/route", "/v1/feedback");
    }
}
