package dev.llmrouter.request;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a model can do beyond plain text chat; a request that needs one is only sent to models that have it. */
public enum Capability {
    TOOLS,
    JSON_OUTPUT,
    VISION,
    STREAMING,
    LOGPROBS;

    /** The name used in catalog and policy files. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Capability> fromKey(String key) {
        return Arrays.stream(values()).filter(c -> c.key().equals(key)).findFirst();
    }
}
