package dev.llmrouter.provider;

import java.io.IOException;
import java.time.Duration;
import java.util.ServiceLoader;

/**
 * What sends a provider call over HTTP: {@link Http1Client} unless the system property
 * {@code llmrouter.http.engine} names another {@link Factory} found by {@link ServiceLoader} (the benchmark of
 * HTTP clients plugs OkHttp and Apache HttpClient in here, to measure them through the router). An engine
 * throws {@link Http1Client.ConnectTimeoutException} and {@link Http1Client.FirstByteTimeoutException} for its
 * two timeouts, so that {@link HttpTransport} reports them as the timeouts they are.
 */
public interface HttpEngine {
    /** The system property naming the engine. */
    String PROPERTY = "llmrouter.http.engine";

    /** Sends {@code request} and returns once the status line and headers are in. */
    Http1Client.Response send(Http1Client.Request request, Duration firstByte) throws IOException;

    /** Makes an engine by name. */
    interface Factory {
        String name();

        HttpEngine create(Duration connectTimeout);
    }

    /** The engine the system property names (default {@code http1}: the router's own client). */
    static HttpEngine configured(Duration connectTimeout) {
        String name = System.getProperty(PROPERTY, "http1");
        if (name.equals("http1")) {
            return new Http1Client(connectTimeout);
        }
        for (Factory factory : ServiceLoader.load(Factory.class)) {
            if (factory.name().equals(name)) {
                return factory.create(connectTimeout);
            }
        }
        throw new IllegalArgumentException(
                PROPERTY + ": no HTTP engine named '" + name + "' on the class path (the router's own is http1)");
    }
}
