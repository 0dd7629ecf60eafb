package dev.llmrouter.provider;

/**
 * The provider SPI: one upstream API (OpenAI-compatible, Anthropic, a simulated one). Implementations are
 * thread-safe and blocking; the router calls them from virtual threads. Every failure is thrown as a
 * {@link ProviderFailure} of the closed {@link ErrorKind} set, never as another exception.
 */
public interface ProviderClient {
    /** Answers in one piece. */
    Completion complete(ProviderCall call) throws ProviderFailure;

    /**
     * Streams the answer to {@code sink} as it arrives and returns the whole answer at the end. A failure
     * after some text was sent is still thrown; the router then knows the caller saw a partial answer.
     */
    Completion stream(ProviderCall call, StreamSink sink) throws ProviderFailure;
}
