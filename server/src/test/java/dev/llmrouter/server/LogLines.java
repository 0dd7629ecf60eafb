package dev.llmrouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.request.Json;
import dev.llmrouter.testing.LogFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What the server tests read back and send: trace-log lines of one type, and one chat request. */
final class LogLines {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private LogLines() {}

    /** The whole lines of {@code "type": type} in every trace log of {@code traces}, in file order. */
    static List<JsonNode> of(Path traces, String type) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(traces)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : LogFiles.wholeLines(f)) {
                    JsonNode node = Json.MAPPER.readTree(line);
                    if (node.path("type").asText().equals(type)) {
                        out.add(node);
                    }
                }
            }
        }
        return out;
    }

    /** An admin call on the management socket with {@code key}; {@code body} JSON, or null for none. */
    static HttpResponse<String> admin(RouterServer server, String key, String method, String path, String body)
            throws IOException, InterruptedException {
        return dev.llmrouter.testing.AdminCalls.send(server.managementPort(), key, method, path, body);
    }

    /** Posts one user message to the server's chat completions, without a key. */
    static HttpResponse<String> chat(int port, String prompt) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER
                                .createObjectNode()
                                .put("model", "router")
                                .set(
                                        "messages",
                                        Json.MAPPER
                                                .createArrayNode()
                                                .add(Json.MAPPER
                                                        .createObjectNode()
                                                        .put("role", "user")
                                                        .put("content", prompt)))
                                .toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
