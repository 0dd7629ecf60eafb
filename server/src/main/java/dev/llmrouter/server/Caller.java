package dev.llmrouter.server;

import dev.llmrouter.provider.ClientGone;
import dev.llmrouter.provider.StreamSink;
import dev.llmrouter.trace.DecisionTrace;
import io.helidon.webserver.http.ServerRequest;

/**
 * The caller of a request in progress, as the router's sink: before each call after the first it checks
 * that the caller is still connected ({@link PeerProbe}), so a caller who hung up stops the chain.
 */
final class Caller implements StreamSink {
    /** A served answer that took longer than this is checked for a caller still there before it is sent. */
    private static final long CHECK_AFTER_NANOS = 1_000_000_000L;

    private final ServerRequest req;

    Caller(ServerRequest req) {
        this.req = req;
    }

    @Override
    public void onText(String delta) {}

    @Override
    public void beforeAttempt() {
        if (gone()) {
            throw new ClientGone("the client went away", null);
        }
    }

    boolean gone() {
        return PeerProbe.peerClosed(req.localPeer().address(), req.remotePeer().address());
    }

    /** Whether the caller left while a slow or multi-call answer was worked on (fast ones are not checked). */
    boolean goneAfter(DecisionTrace trace, long startedNanos) {
        boolean worthChecking = trace.attempts().size() > 1 || System.nanoTime() - startedNanos > CHECK_AFTER_NANOS;
        return worthChecking && gone();
    }
}
