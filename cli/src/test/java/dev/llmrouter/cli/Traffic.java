package dev.llmrouter.cli;

import dev.llmrouter.server.RouterServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** What the command-line tests feed the router: served traffic with feedback, and labelled records. */
final class Traffic {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Traffic() {}

    /**
     * Starts a server with the shipped catalog, policy and classifier on simulated providers failing at
     * {@code errorRate}, writing its trace log to {@code traces}, and sends {@code requests} requests (the
     * prompts in turn, each numbered), with feedback on every third answer: 0.25 and 1 in turn.
     */
    static RouterServer serve(Path dir, Path traces, double errorRate, int requests, String... prompts)
            throws Exception {
        return serve(dir, traces, "none", errorRate, requests, prompts);
    }

    /** As above, the trace log keeping prompts as {@code keep} says ({@code none}, {@code hash}, {@code full}). */
    static RouterServer serve(Path dir, Path traces, String keep, double errorRate, int requests, String... prompts)
            throws Exception {
        Path config = Files.writeString(dir.resolve("server.yaml"), """
                server: {port: 0, management: {port: 0}}
                router:
                  catalog: %s/config/catalog.yaml
                  policy: %s/config/policy.yaml
                  classifier: models/default
                  providers: simulated
                  trace: {dir: %s, prompts: %s}
                  simulated: {latency_ms: 0, error_rate: %s}
                """.formatted(REPO, REPO, traces, keep, errorRate));
        RouterServer server = RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), REPO);
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> res = post(
                    server.port(),
                    "/v1/chat/completions",
                    "{\"model\": \"router\", \"messages\": [{\"role\": \"user\", \"content\": \""
                            + prompts[i % prompts.length] + " #" + i + "\"}]}");
            if (i % 3 == 0 && res.statusCode() == 200) {
                post(
                        server.port(),
                        "/v1/feedback",
                        "{\"trace_id\": \""
                                + res.headers().firstValue("x-router-trace-id").orElseThrow() + "\", \"score\": "
                                + (i % 2 == 0 ? 0.25 : 1) + "}");
            }
        }
        awaitRecorded(server, requests);
        return server;
    }

    /**
     * Waits until the server has recorded all {@code requests}: it counts a request after its answer went out, so
     * the caller can hold the last answer a moment before the server's figures include it.
     */
    private static void awaitRecorded(RouterServer server, int requests) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            com.fasterxml.jackson.databind.JsonNode groups = dev.llmrouter.request.Json.MAPPER
                    .readTree(management(server, "/admin/stats?window=1h").body())
                    .path("groups");
            long recorded = 0;
            for (com.fasterxml.jackson.databind.JsonNode g : groups) {
                recorded += g.path("requests").asLong();
            }
            if (recorded >= requests) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the server recorded fewer than " + requests + " requests in 10 s");
    }

    /** GET on the server's management socket. */
    static HttpResponse<String> management(RouterServer server, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.managementPort() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * {@code n} labelled records of a cheap model {@code small} and a strong one {@code large}: every third
     * prompt is a proof the cheap model fails (and, with {@code harder}, every seventh too), the rest sums it
     * answers.
     */
    static Path records(Path dir, int n, boolean harder) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String prompt = i % 3 == 0
                    ? "Prove rigorously that the sum of the first " + i + " odd numbers is a square, step by step."
                    : "What is " + i + " plus one?";
            lines.append(String.format(
                    Locale.ROOT,
                    "{\"id\": \"q%d\", \"source\": \"fixture\", \"category\": \"%s\", \"prompt\": \"%s\","
                            + " \"outcomes\": {\"small\": {\"score\": %d}, \"large\": {\"score\": 1, \"cost_usd\": 0.01}}}%n",
                    i,
                    i % 2 == 0 ? "even" : "odd",
                    prompt,
                    i % 3 == 0 || harder && i % 7 == 0 ? 0 : 1));
        }
        return Files.writeString(dir.resolve("fixture.jsonl"), lines.toString());
    }

    /**
     * {@code n} records of RouteLLM's GSM8K shape for training: every third a proof Mixtral fails, every seventh
     * one GPT-4 fails.
     */
    static Path outcomes(Path dir, int n) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < n; i++) {
            boolean hard = i % 3 == 0;
            String prompt = hard
                    ? "Prove rigorously that the series number " + i + " converges, by induction"
                    : "What is " + i + " plus one?";
            lines.append(String.format(
                    Locale.ROOT,
                    "{\"id\": \"q%d\", \"source\": \"routellm/gsm8k\", \"category\": \"grade_school_math\","
                            + " \"prompt\": \"%s\", \"outcomes\": {\"mixtral-8x7b-instruct\": {\"score\": %d},"
                            + " \"gpt-4-1106-preview\": {\"score\": %d}}}%n",
                    i,
                    prompt,
                    hard ? 0 : 1,
                    i % 7 == 0 ? 0 : 1));
        }
        return Files.writeString(dir.resolve("outcomes.jsonl"), lines.toString());
    }

    /** Intent-only records of every intent the shipped policy routes on (code, support, chat) and more. */
    static Path intents(Path file) throws IOException {
        StringBuilder lines = new StringBuilder();
        String[][] kinds = {
            {"routellm/mt-bench", "coding", "Write a Python function that reverses a linked list number %d"},
            {"routellm/mt-bench", "roleplay", "Pretend you are a pirate and greet guest number %d"},
            {"routellm/mt-bench", "writing", "Write a short poem about autumn leaves, verse %d"},
            {"routellm/mt-bench", "reasoning", "If all bloops are razzies, is bloop %d a razzie? Explain"},
            {"routellm/mt-bench", "stem", "Explain how photosynthesis works in plant %d"},
            {"routellm/mt-bench", "extraction", "Extract every date from this text: meeting %d on May 3"},
            {"banking77", "card_arrival", "My card number %d has not arrived yet, where is it?"}
        };
        for (int i = 0; i < 280; i++) {
            String[] kind = kinds[i % kinds.length];
            lines.append(String.format(
                    "{\"id\": \"i%d\", \"source\": \"%s\", \"intent\": \"%s\", \"prompt\": \"%s\"}%n",
                    i, kind[0], kind[1], String.format(kind[2], i)));
        }
        return Files.writeString(file, lines.toString());
    }

    private static HttpResponse<String> post(int port, String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
