package dev.llmrouter.request;

/**
 * Estimates prompt tokens before any model is called: about four characters a token for English text plus
 * a small overhead per message, the rule of thumb OpenAI and Anthropic both publish. The estimate is
 * deliberately rounded up so a context-window check errs on the safe side; the provider's own count, when
 * it answers, is what costs and traces record.
 */
public final class TokenEstimate {
    private static final int PER_MESSAGE_OVERHEAD = 4;

    private TokenEstimate() {}

    public static int promptTokens(ChatRequest request) {
        long tokens = 3;
        for (Message message : request.messages()) {
            tokens += PER_MESSAGE_OVERHEAD + ofText(message.text());
        }
        return (int) Math.min(Integer.MAX_VALUE, tokens);
    }

    public static int ofText(String text) {
        return (text.length() + 3) / 4;
    }
}
