package dev.llmrouter.server;

import dev.llmrouter.provider.ClientGone;
import dev.llmrouter.provider.StreamSink;
import io.helidon.webserver.http.ServerRequest;

/**
 * The caller of a request in progress, as the router's sink: before each call after the first it checks
 * that the caller is still connected ({@link PeerProbe}), so a caller who hung up stops the chain. A probe
 * reads the kernel's TCP table, which takes milliseconds on a busy host (5 ms for 600 connections on the
 * reference machine), so it is made only once the request has run for {@link #PROBE_AFTER_NANOS}: fast
 * fallbacks and escalations (a local or simulated model) skip it, and where calls take seconds its cost is
 * small beside them.
 */
final class Caller implements StreamSink {
    /** How long a request runs before its caller is probed. */
    static final long PROBE_AFTER_NANOS = 100_000_000L;

    private final ServerRequest req;
    private final long started = System.nanoTime();

    Caller(ServerRequest req) {
        this.req = req;
    }

    @Override
    public void onText(String delta) {}

    @Override
    public void beforeAttempt() {
        if (goneAfterAWhile()) {
            throw new ClientGone("the client went away", null);
        }
    }

    /** Whether the caller left, probed only once the request has run for {@link #PROBE_AFTER_NANOS}. */
    boolean goneAfterAWhile() {
        return System.nanoTime() - started > PROBE_AFTER_NANOS
                && PeerProbe.peerClosed(
                        req.localPeer().address(), req.remotePeer().address());
    }
}
