package dev.llmrouter.catalog;

import java.net.URI;
import java.util.Objects;

/**
 * An upstream API the catalog's models are served by.
 *
 * @param name the catalog's name for it ({@code openai}, {@code together}, ...)
 * @param kind which wire protocol it speaks
 * @param baseUrl the API root, e.g. {@code https://api.openai.com/v1}
 * @param apiKeyEnv the environment variable holding its key; empty for hosts that need none
 * @param timeouts connect, first-byte and total limits for its calls
 */
public record ProviderSpec(String name, Kind kind, URI baseUrl, String apiKeyEnv, Timeouts timeouts) {
    public ProviderSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(apiKeyEnv, "apiKeyEnv");
        Objects.requireNonNull(timeouts, "timeouts");
    }

    /** The wire protocols the router speaks. */
    public enum Kind {
        /** OpenAI's chat-completions API, also spoken by Google, Together, Groq, vLLM, Ollama and others. */
        OPENAI,
        /** Anthropic's Messages API. */
        ANTHROPIC;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
