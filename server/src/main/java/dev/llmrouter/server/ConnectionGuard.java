package dev.llmrouter.server;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Read timeouts Helidon does not have: a request's headers must arrive within the header timeout of its first
 * line, and its body within the body timeout of its headers. A client that sends slower (a slow-loris) gets
 * {@code 408} and a closed connection.
 *
 * <p>Helidon reads a connection's requests and runs their handlers on one virtual thread, and tells this
 * listener, on that thread, when a request line and when the headers have arrived. Each arrival arms the
 * connection's watch with a deadline; a sweeper looks at the armed watches every {@link #SWEEP} and, for one
 * past its deadline, writes the {@code 408} itself and interrupts the thread, which closes the connection under
 * the blocked read. A body a handler reads in good time disarms it ({@link #bodyRead}); a body that trickles in
 * is caught by the reader, which checks {@link #bodyDeadlinePassed} between reads and answers {@code 408} as
 * an ordinary error. {@link #requestDone} disarms whatever is left once a response is sent. Arming and
 * disarming are a field write and a set update: no timer task per request.
 */
final class ConnectionGuard implements Http1ConnectionListener {
    /** How often armed watches are looked at: a timeout fires up to this late. */
    static final Duration SWEEP = Duration.ofMillis(100);
    /** Past the body timeout the reader answers; the watch only steps in for a read that never returns. */
    private static final Duration BACKSTOP = Duration.ofSeconds(2);

    private static final Set<Watch> ARMED = ConcurrentHashMap.newKeySet();
    private static final ThreadLocal<Watch> CURRENT = new ThreadLocal<>();

    static {
        Thread.ofPlatform().daemon().name("llmrouter-read-timeouts").start(ConnectionGuard::sweep);
    }

    private final Duration headerTimeout;
    private final Duration bodyTimeout;
    private final RouterMetrics metrics;

    ConnectionGuard(Duration headerTimeout, Duration bodyTimeout, RouterMetrics metrics) {
        this.headerTimeout = headerTimeout;
        this.bodyTimeout = bodyTimeout;
        this.metrics = metrics;
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        watch(ctx).arm("headers", headerTimeout, 0);
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        Watch watch = watch(ctx);
        if (headers.contains(HeaderNames.TRANSFER_ENCODING) || declaresBody(headers)) {
            watch.arm("body", bodyTimeout.plus(BACKSTOP), System.nanoTime() + bodyTimeout.toNanos());
        } else {
            watch.disarm();
        }
    }

    /** A Content-Length above 0; Helidon refuses a malformed one right after this listener, so it counts as none. */
    private static boolean declaresBody(Headers headers) {
        try {
            return headers.contentLength().orElse(0) > 0;
        } catch (RuntimeException malformed) {
            return false;
        }
    }

    /** This connection's watch: one per connection thread, made at its first request. */
    private Watch watch(ConnectionContext ctx) {
        Watch watch = CURRENT.get();
        if (watch == null || watch.ctx != ctx) {
            watch = new Watch(ctx, Thread.currentThread(), metrics);
            CURRENT.set(watch);
        }
        return watch;
    }

    /** Whether the body being read on this thread is past its deadline. */
    static boolean bodyDeadlinePassed() {
        Watch watch = CURRENT.get();
        return watch != null && watch.bodyDeadline != 0 && System.nanoTime() - watch.bodyDeadline > 0;
    }

    /** The body was read: the watch stands down. */
    static void bodyRead() {
        requestDone();
    }

    /** The response was sent: the watch stands down. */
    static void requestDone() {
        Watch watch = CURRENT.get();
        if (watch != null) {
            watch.disarm();
        }
    }

    private static void sweep() {
        while (true) {
            try {
                Thread.sleep(SWEEP);
                long now = System.nanoTime();
                for (Watch watch : ARMED) {
                    watch.fireIfPast(now);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // one broken connection must not stop the sweeper
            }
        }
    }

    /** A connection's deadline: 0 when disarmed, {@link #FIRED} once its 408 was sent. */
    private static final class Watch {
        private static final long FIRED = -1;

        private final ConnectionContext ctx;
        private final Thread thread;
        private final RouterMetrics metrics;
        private final AtomicLong deadline = new AtomicLong();
        private volatile String phase = "";
        /** When a trickling body is answered 408 by its reader (read on the connection's thread only). */
        private long bodyDeadline;

        Watch(ConnectionContext ctx, Thread thread, RouterMetrics metrics) {
            this.ctx = ctx;
            this.thread = thread;
            this.metrics = metrics;
        }

        void arm(String what, Duration after, long bodyDeadlineNanos) {
            phase = what;
            bodyDeadline = bodyDeadlineNanos;
            long at = System.nanoTime() + after.toNanos();
            deadline.set(at == 0 || at == FIRED ? 1 : at);
            ARMED.add(this);
        }

        void disarm() {
            bodyDeadline = 0;
            if (deadline.get() != 0) {
                deadline.set(0);
                ARMED.remove(this);
            }
        }

        /** Answers 408 and closes the connection when the deadline passed and nothing disarmed it first. */
        void fireIfPast(long now) {
            long at = deadline.get();
            if (at == 0 || at == FIRED || now - at < 0 || !deadline.compareAndSet(at, FIRED)) {
                return;
            }
            ARMED.remove(this);
            metrics.httpError(408, "request_timeout");
            String id = UUID.randomUUID().toString();
            String setting = phase.equals("headers") ? "header_timeout" : "body_timeout";
            byte[] body = new ApiError(
                            408,
                            "invalid_request_error",
                            "request_timeout",
                            "the request's " + phase + " did not arrive in time (server.limits." + setting
                                    + "): send the whole request promptly",
                            List.of())
                    .body();
            String head = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    + "x-router-trace-id: " + id + "\r\nx-request-id: " + id + "\r\nContent-Length: " + body.length
                    + "\r\n\r\n";
            try {
                ctx.dataWriter().writeNow(BufferData.create(head.getBytes(StandardCharsets.US_ASCII)));
                ctx.dataWriter().writeNow(BufferData.create(body));
            } catch (RuntimeException e) {
                // the client is gone already: closing is all that is left
            }
            thread.interrupt(); // unblocks the read by closing the connection under it
        }
    }
}
