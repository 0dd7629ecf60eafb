package dev.llmrouter.provider;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * OkHttp and Apache HttpClient 5 as the router's {@link HttpEngine}, found by {@link java.util.ServiceLoader}
 * when the bench jar is on the class path, so {@code bench/http-clients.sh} can measure them through the
 * router ({@code -Dllmrouter.http.engine=okhttp|apache}). Their read timeout stands in for the first-byte one.
 */
public final class LibraryEngines {
    private LibraryEngines() {}

    private static final int POOL = 64;

    /** {@code okhttp}: OkHttp 5 with a pool as large as the router's own. */
    public static final class OkHttp implements HttpEngine.Factory {
        @Override
        public String name() {
            return "okhttp";
        }

        @Override
        public HttpEngine create(Duration connectTimeout) {
            OkHttpClient client = new OkHttpClient.Builder()
                    .connectionPool(new ConnectionPool(POOL, 30, TimeUnit.SECONDS))
                    .connectTimeout(connectTimeout)
                    .retryOnConnectionFailure(true)
                    .build();
            client.dispatcher().setMaxRequestsPerHost(POOL);
            return (request, firstByte) -> {
                okhttp3.Request.Builder builder =
                        new okhttp3.Request.Builder().url(request.uri().toURL());
                String type = "application/json";
                for (Map.Entry<String, String> header : request.headers()) {
                    builder.header(header.getKey(), header.getValue());
                    if (header.getKey().equalsIgnoreCase("Content-Type")) {
                        type = header.getValue();
                    }
                }
                builder.post(RequestBody.create(request.body(), MediaType.get(type)));
                OkHttpClient timed = client.newBuilder().readTimeout(firstByte).build();
                okhttp3.Response response;
                try {
                    response = timed.newCall(builder.build()).execute();
                } catch (SocketTimeoutException e) {
                    throw new Http1Client.FirstByteTimeoutException(e.getMessage());
                }
                Map<String, List<String>> headers = new LinkedHashMap<>();
                response.headers().toMultimap().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
                return new Http1Client.Response(
                        response.code(),
                        new Http1Client.Headers(headers),
                        response.body().byteStream());
            };
        }
    }

    /** {@code apache}: Apache HttpClient 5, classic API, pooled. */
    public static final class Apache implements HttpEngine.Factory {
        @Override
        public String name() {
            return "apache";
        }

        @Override
        public HttpEngine create(Duration connectTimeout) {
            CloseableHttpClient client = HttpClients.custom()
                    .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                            .setMaxConnTotal(POOL)
                            .setMaxConnPerRoute(POOL)
                            .setDefaultConnectionConfig(ConnectionConfig.custom()
                                    .setConnectTimeout(Timeout.of(connectTimeout))
                                    .build())
                            .build())
                    .build();
            return (request, firstByte) -> {
                HttpPost post = new HttpPost(request.uri());
                ContentType type = ContentType.APPLICATION_JSON;
                for (Map.Entry<String, String> header : request.headers()) {
                    if (header.getKey().equalsIgnoreCase("Content-Type")) {
                        type = ContentType.parse(header.getValue());
                    } else {
                        post.setHeader(header.getKey(), header.getValue());
                    }
                }
                post.setEntity(new ByteArrayEntity(request.body(), type));
                post.setConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.of(firstByte))
                        .build());
                ClassicHttpResponse response;
                try {
                    response = client.executeOpen(null, post, null);
                } catch (SocketTimeoutException e) {
                    throw new Http1Client.FirstByteTimeoutException(e.getMessage());
                }
                Map<String, List<String>> headers = new LinkedHashMap<>();
                for (Header header : response.getHeaders()) {
                    headers.computeIfAbsent(header.getName().toLowerCase(Locale.ROOT), k -> new java.util.ArrayList<>())
                            .add(header.getValue());
                }
                InputStream body = response.getEntity() == null
                        ? InputStream.nullInputStream()
                        : new java.io.FilterInputStream(response.getEntity().getContent()) {
                            @Override
                            public void close() throws IOException {
                                response.close();
                            }
                        };
                return new Http1Client.Response(response.getCode(), new Http1Client.Headers(headers), body);
            };
        }
    }
}
