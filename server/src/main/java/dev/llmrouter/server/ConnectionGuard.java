package dev.llmrouter.server;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Read timeouts Helidon does not have: a request's headers must arrive within the header timeout of its first
 * line, and its body within the body timeout of its headers. A client that sends slower (a slow-loris) gets
 * {@code 408} and a closed connection.
 *
 * <p>Helidon reads a connection's requests and runs their handlers on one virtual thread, and tells this
 * listener, on that thread, when a request line and when the headers have arrived. Each arrival arms a
 * watchdog: past its deadline it writes the {@code 408} itself and interrupts the thread, which closes the
 * connection under the blocked read. A body a handler reads in good time disarms it ({@link #bodyRead}); a
 * body that trickles in is caught by the reader, which checks {@link #bodyDeadlinePassed} between reads
 * and answers {@code 408} as an ordinary error. {@link #requestDone} disarms whatever is left once a response
 * is sent.
 */
final class ConnectionGuard implements Http1ConnectionListener {
    /** Past the body timeout the reader answers; the watchdog only steps in for a read that never returns. */
    private static final Duration BACKSTOP = Duration.ofSeconds(2);

    private static final ScheduledThreadPoolExecutor TIMER = timer();
    private static final ThreadLocal<Watch> CURRENT = new ThreadLocal<>();

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
        arm(ctx, headerTimeout, "headers", System.nanoTime() + headerTimeout.toNanos());
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        disarm();
        boolean body = headers.contains(HeaderNames.TRANSFER_ENCODING) || declaresBody(headers);
        if (body) {
            long deadline = System.nanoTime() + bodyTimeout.toNanos();
            arm(ctx, bodyTimeout.plus(BACKSTOP), "body", deadline);
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

    /** Whether the body being read on this thread is past its deadline. */
    static boolean bodyDeadlinePassed() {
        Watch watch = CURRENT.get();
        return watch != null && watch.phase.equals("body") && System.nanoTime() - watch.deadlineNanos > 0;
    }

    /** The body was read: its watchdog stands down. */
    static void bodyRead() {
        disarm();
    }

    /** The response was sent: any watchdog left on this thread stands down. */
    static void requestDone() {
        disarm();
    }

    private void arm(ConnectionContext ctx, Duration after, String phase, long deadlineNanos) {
        disarm();
        Thread thread = Thread.currentThread();
        Watch watch = new Watch(phase, deadlineNanos);
        watch.task = TIMER.schedule(
                () -> {
                    if (watch.fire(ctx, thread)) {
                        metrics.httpError(408, "request_timeout");
                    }
                },
                after.toNanos(),
                TimeUnit.NANOSECONDS);
        CURRENT.set(watch);
    }

    private static void disarm() {
        Watch watch = CURRENT.get();
        if (watch != null) {
            watch.disarm();
            CURRENT.remove();
        }
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "llmrouter-read-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** One armed deadline; armed, then either disarmed by the connection's thread or fired by the timer. */
    private static final class Watch {
        private final String phase;
        private final long deadlineNanos;
        private final AtomicReference<String> state = new AtomicReference<>("armed");
        private ScheduledFuture<?> task;

        Watch(String phase, long deadlineNanos) {
            this.phase = phase;
            this.deadlineNanos = deadlineNanos;
        }

        void disarm() {
            if (state.compareAndSet("armed", "disarmed")) {
                task.cancel(false);
            }
        }

        /** Answers 408 and closes the connection, unless disarmed first; returns whether it did. */
        boolean fire(ConnectionContext ctx, Thread thread) {
            if (!state.compareAndSet("armed", "fired")) {
                return false;
            }
            String id = UUID.randomUUID().toString();
            ApiError error = new ApiError(
                    408,
                    "invalid_request_error",
                    "request_timeout",
                    "the request's " + phase + " did not arrive in time (server.limits."
                            + phase.replace("headers", "header") + "_timeout): send the whole request promptly",
                    java.util.List.of());
            byte[] body = error.body();
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
            return true;
        }
    }
}
