package dev.llmrouter.provider;

import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The provider call's HTTP client: the router's own {@link Http1Client} against OkHttp, Apache HttpClient 5
 * (classic), Helidon's WebClient and the JDK's {@link HttpClient}, each POSTing the same chat-completions body
 * to an OpenAI-compatible upstream ({@code -p url=...}, started by {@code bench/http-clients.sh}) over kept-alive
 * HTTP/1.1 connections and reading the whole answer. Run with {@code -t 1} (one caller: latency) and
 * {@code -t 32} (32 callers sharing one client: throughput). In this package to reach the package-private
 * client.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class HttpClientBenchmark {
    static final byte[] BODY = ("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"What is the"
                    + " capital of France?\"}], \"max_tokens\": 64}")
            .getBytes(StandardCharsets.UTF_8);
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Param({"http1", "okhttp", "apache", "helidon", "jdk"})
    public String client;

    @Param({"http://127.0.0.1:19090/v1/chat/completions"})
    public String url;

    private URI uri;
    private Http1Client http1;
    private OkHttpClient okhttp;
    private CloseableHttpClient apache;
    private WebClient helidon;
    private HttpClient jdk;

    @Setup(Level.Trial)
    public void setUp() {
        uri = URI.create(url);
        switch (client) {
            case "http1" -> http1 = new Http1Client(TIMEOUT);
            case "okhttp" ->
                okhttp = new OkHttpClient.Builder()
                        .connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES))
                        .connectTimeout(TIMEOUT)
                        .readTimeout(TIMEOUT)
                        .build();
            case "apache" ->
                apache = HttpClients.custom()
                        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                                .setMaxConnTotal(64)
                                .setMaxConnPerRoute(64)
                                .build())
                        .build();
            case "helidon" -> helidon = WebClient.builder().baseUri(uri).build();
            case "jdk" ->
                jdk = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(TIMEOUT)
                        .build();
            default -> throw new IllegalArgumentException("client: expected http1, okhttp, apache, helidon or jdk");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (okhttp != null) {
            okhttp.dispatcher().executorService().shutdown();
            okhttp.connectionPool().evictAll();
        }
        if (apache != null) {
            apache.close();
        }
        if (helidon != null) {
            helidon.closeResource();
        }
        if (jdk != null) {
            jdk.close();
        }
    }

    @Benchmark
    public byte[] call() throws Exception {
        return switch (client) {
            case "http1" -> {
                Http1Client.Response response = http1.send(
                        new Http1Client.Request(
                                uri,
                                List.of(
                                        Map.entry("Content-Type", "application/json"),
                                        Map.entry("Accept", "application/json")),
                                BODY),
                        TIMEOUT);
                try (InputStream body = response.body()) {
                    yield body.readAllBytes();
                }
            }
            case "okhttp" -> {
                okhttp3.Request request = new okhttp3.Request.Builder()
                        .url(url)
                        .header("Accept", "application/json")
                        .post(RequestBody.create(BODY, MediaType.get("application/json")))
                        .build();
                try (okhttp3.Response response = okhttp.newCall(request).execute()) {
                    yield response.body().bytes();
                }
            }
            case "apache" -> {
                HttpPost post = new HttpPost(uri);
                post.setHeader("Accept", "application/json");
                post.setEntity(new ByteArrayEntity(BODY, ContentType.APPLICATION_JSON));
                yield apache.execute(post, response -> EntityUtils.toByteArray(response.getEntity()));
            }
            case "helidon" -> {
                try (HttpClientResponse response = helidon.post(uri.getPath())
                        .header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json")
                        .header(io.helidon.http.HeaderNames.ACCEPT, "application/json")
                        .submit(BODY)) {
                    yield response.entity().as(byte[].class);
                }
            }
            default ->
                jdk.send(
                                HttpRequest.newBuilder(uri)
                                        .header("Content-Type", "application/json")
                                        .header("Accept", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(BODY))
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray())
                        .body();
        };
    }
}
