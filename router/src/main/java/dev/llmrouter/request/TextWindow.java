package dev.llmrouter.request;

/**
 * The part of a long text that per-request classifiers read word by word, so their cost per request is
 * bounded whatever the prompt's length: texts up to {@link #BUDGET} characters whole; longer ones as their
 * first {@link #HEAD} and last {@link #TAIL} characters joined by a line break (an instruction usually opens
 * or closes a long prompt, the pasted material sits between). Whole-text measures (length, lines, counts of
 * digits or question marks) are still taken over the whole text: they cost one pass and no allocation.
 */
public final class TextWindow {
    /** The longest text read whole, in UTF-16 characters. */
    public static final int BUDGET = 8_192;

    static final int HEAD = 6_144;
    static final int TAIL = BUDGET - HEAD - 1;

    private TextWindow() {}

    /** {@code text} itself when it fits the budget, else its head and tail joined by a line break. */
    public static String of(String text) {
        if (text.length() <= BUDGET) {
            return text;
        }
        int head = HEAD;
        if (Character.isHighSurrogate(text.charAt(head - 1))) {
            head--;
        }
        int tail = text.length() - TAIL;
        if (Character.isLowSurrogate(text.charAt(tail))) {
            tail++;
        }
        return text.substring(0, head) + "\n" + text.substring(tail);
    }
}
