package dev.llmrouter.provider;

import dev.llmrouter.catalog.Timeouts;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The HTTP plumbing both provider clients share: one {@link HttpEngine} per provider ({@link Http1Client}
 * unless configured otherwise), the three timeouts and
 * the mapping of transport failures into {@link ProviderFailure}s.
 *
 * <p>The connect timeout bounds opening the connection (and the TLS handshake). The first-byte timeout
 * bounds the wait for the response headers once the request is sent. The total timeout bounds the whole
 * exchange, body included: a watchdog closes the response stream when it passes, which unblocks a read
 * stuck on a stalled upstream, and the failure is then reported as a timeout.
 */
final class HttpTransport {
    /** Bodies of successful answers larger than this are refused rather than buffered. */
    static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    private final String provider;
    private final HttpEngine http;

    HttpTransport(String provider, Duration connectTimeout) {
        this.provider = provider;
        this.http = HttpEngine.configured(connectTimeout);
    }

    /** The headers of a JSON POST whose answer is JSON, or an event stream when {@code stream}; add to it. */
    static List<Map.Entry<String, String>> jsonHeaders(boolean stream) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(4);
        headers.add(Map.entry("Content-Type", "application/json"));
        headers.add(Map.entry("Accept", stream ? "text/event-stream" : "application/json"));
        return headers;
    }

    /** Reads a successful (2xx) answer's body. Runs on the calling thread. */
    @FunctionalInterface
    interface BodyReader<T> {
        T read(InputStream body) throws IOException, ProviderFailure;
    }

    /**
     * POSTs {@code body} to {@code uri} with {@code headers} and hands a 2xx body to {@code reader}; any other
     * status is mapped by {@link HttpErrorMapping}. {@code secret}, when present, is scrubbed from every
     * failure message.
     */
    <T> T exchange(
            URI uri,
            List<Map.Entry<String, String>> headers,
            byte[] body,
            Timeouts timeouts,
            Optional<String> secret,
            BodyReader<T> reader)
            throws ProviderFailure {
        try {
            return exchange(new Http1Client.Request(uri, headers, body), timeouts, secret, reader);
        } catch (ProviderFailure failure) {
            throw redact(failure, secret);
        }
    }

    private <T> T exchange(
            Http1Client.Request request, Timeouts timeouts, Optional<String> secret, BodyReader<T> reader)
            throws ProviderFailure {
        long start = System.nanoTime();
        Http1Client.Response response = send(request, timeouts.firstByte());
        Duration remaining = timeouts.total().minusNanos(System.nanoTime() - start);
        InputStream body = response.body();
        Watchdog watchdog = new Watchdog(body, remaining);
        try {
            int status = response.status();
            if (status < 200 || status >= 300) {
                byte[] error = body.readNBytes(MAX_ERROR_BODY_BYTES);
                // the key is scrubbed from the whole body before the mapping cuts its message short
                String text = Redaction.scrub(new String(error, StandardCharsets.UTF_8), secret);
                throw HttpErrorMapping.fromResponse(provider, status, text, response.headers());
            }
            return reader.read(body);
        } catch (IOException e) {
            if (watchdog.fired()) {
                throw totalTimeout(timeouts);
            }
            throw new ProviderFailure(
                    ErrorKind.SERVER_ERROR,
                    provider + ": the connection broke while reading the answer (" + describe(e) + ")");
        } catch (ProviderFailure failure) {
            if (watchdog.fired() && failure.httpStatus().isEmpty()) {
                throw totalTimeout(timeouts);
            }
            throw failure;
        } finally {
            watchdog.close();
            closeQuietly(body);
        }
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException e) {
            // nothing left to read: the exchange is over either way
        }
    }

    private Http1Client.Response send(Http1Client.Request request, Duration firstByte) throws ProviderFailure {
        String where = hostAndPort(request.uri());
        try {
            return http.send(request, firstByte);
        } catch (Http1Client.FirstByteTimeoutException e) {
            throw new ProviderFailure(
                    ErrorKind.TIMEOUT,
                    provider + " sent no response headers within the first-byte timeout of " + millis(firstByte));
        } catch (Http1Client.ConnectTimeoutException e) {
            throw new ProviderFailure(
                    ErrorKind.TIMEOUT, provider + ": could not connect to " + where + " within the connect timeout");
        } catch (ConnectException e) {
            throw new ProviderFailure(
                    ErrorKind.SERVER_ERROR, provider + ": could not connect to " + where + " (" + describe(e) + ")");
        } catch (IOException e) {
            throw new ProviderFailure(
                    ErrorKind.SERVER_ERROR,
                    provider + ": could not connect to " + where + " or the connection broke (" + describe(e) + ")");
        } catch (IllegalArgumentException e) {
            throw new ProviderFailure(ErrorKind.BAD_REQUEST, provider + ": " + e.getMessage());
        }
    }

    private ProviderFailure totalTimeout(Timeouts timeouts) {
        return new ProviderFailure(
                ErrorKind.TIMEOUT,
                provider + " did not finish answering within the total timeout of " + millis(timeouts.total()));
    }

    static String hostAndPort(URI uri) {
        int port = uri.getPort();
        if (port < 0) {
            port = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        }
        return uri.getHost() + ":" + port;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        String name = e.getClass().getSimpleName();
        return message == null || message.isBlank() ? name : name + ": " + message;
    }

    private static String millis(Duration duration) {
        return duration.toMillis() + " ms";
    }

    /**
     * The same failure with the secret removed: every whole occurrence, and its beginning where a cut ended the
     * message inside it. A no-op when the message holds none of it.
     */
    static ProviderFailure redact(ProviderFailure failure, Optional<String> secret) {
        String message = failure.getMessage() == null ? "" : failure.getMessage();
        String scrubbed = Redaction.scrubCut(message, secret, HttpErrorMapping.CUT_MARK);
        if (scrubbed.equals(message)) {
            return failure;
        }
        return new ProviderFailure(failure.kind(), scrubbed, failure.httpStatus(), failure.retryAfter());
    }

    /**
     * Closes a response stream once the total deadline passes, remembering that it did. Armed and disarmed by a
     * set update; one sweeper thread looks at the armed ones every {@link #SWEEP}, so a call costs no timer task
     * (whose wake-ups cost more than the call's own work on a busy machine).
     */
    private static final class Watchdog implements AutoCloseable {
        private static final Duration SWEEP = Duration.ofMillis(50);
        private static final Set<Watchdog> ARMED = ConcurrentHashMap.newKeySet();

        static {
            Thread.ofPlatform().daemon().name("llmrouter-provider-watchdog").start(Watchdog::sweep);
        }

        private final InputStream body;
        private final long deadlineNanos;
        private final AtomicBoolean fired = new AtomicBoolean();

        Watchdog(InputStream body, Duration after) {
            this.body = body;
            this.deadlineNanos = System.nanoTime() + Math.max(0, after.toNanos());
            ARMED.add(this);
        }

        boolean fired() {
            return fired.get();
        }

        @Override
        public void close() {
            ARMED.remove(this);
        }

        private static void sweep() {
            while (true) {
                try {
                    Thread.sleep(SWEEP);
                    long now = System.nanoTime();
                    for (Watchdog w : ARMED) {
                        if (now - w.deadlineNanos >= 0 && ARMED.remove(w)) {
                            w.fired.set(true);
                            closeQuietly(w.body);
                        }
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // one broken stream must not stop the sweeper
                }
            }
        }
    }
}
