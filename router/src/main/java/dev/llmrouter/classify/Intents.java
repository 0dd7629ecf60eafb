package dev.llmrouter.classify;

import java.util.List;

/** The default intent taxonomy. A learned classifier may bring its own labels in its model card. */
public final class Intents {
    public static final List<String> DEFAULT =
            List.of("code", "math", "reasoning", "knowledge", "writing", "extraction", "support", "chat");

    private Intents() {}
}
