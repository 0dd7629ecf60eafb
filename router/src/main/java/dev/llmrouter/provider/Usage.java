package dev.llmrouter.provider;

/** Tokens a call consumed, as the provider counted them (or estimated, when it did not say). */
public record Usage(int inputTokens, int outputTokens, boolean estimated) {
    public Usage {
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("token counts cannot be negative");
        }
    }
}
