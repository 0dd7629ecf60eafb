package dev.llmrouter.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A call on a router's management socket with an admin key: what the server's and the CLI's tests send. */
public final class AdminCalls {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private AdminCalls() {}

    /** {@code method path} on the management socket at {@code port}, with {@code key}; {@code body} JSON or null. */
    public static HttpResponse<String> send(int port, String key, String method, String path, String body)
            throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Authorization", "Bearer " + key)
                        .header("Content-Type", "application/json")
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
