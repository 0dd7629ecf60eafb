package dev.llmrouter.provider;

/**
 * Thrown by a {@link StreamSink} whose caller went away: nothing more can reach it. The router stops the
 * upstream call, tries no other model and ends the request with the outcome {@code client_closed}.
 */
public final class ClientGone extends RuntimeException {
    public ClientGone(String message, Throwable cause) {
        super(message, cause);
    }
}
