package dev.llmrouter.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.catalog.ProviderSpec;
import dev.llmrouter.request.Json;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Builds the HTTP {@link ProviderClient} for a catalog provider: the OpenAI-compatible client or the
 * Anthropic one, by {@link ProviderSpec#kind()}.
 *
 * <p>The API key is read through {@code env} on every call, never at construction: a provider whose
 * variable is unset still gets a client, and each of its calls fails with {@link ErrorKind#AUTH} naming
 * the variable. The key is sent only in the request's auth header and never appears in a failure message
 * or a {@code toString}.
 */
public final class ProviderClients {
    private ProviderClients() {}

    /**
     * The client for {@code spec}.
     *
     * @param spec the provider: protocol, base URL, key variable and timeouts (its connect timeout is the
     *     client's; each call's first-byte and total timeouts come from the call)
     * @param env looks up an environment variable, e.g. {@code name -> Optional.ofNullable(System.getenv(name))}
     * @throws IllegalArgumentException when the base URL is not an absolute http or https URL
     */
    public static ProviderClient create(ProviderSpec spec, Function<String, Optional<String>> env) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(env, "env");
        URI base = spec.baseUrl();
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || base.getHost() == null) {
            throw new IllegalArgumentException(
                    "provider " + spec.name() + ": base_url must be an absolute http or https URL, got " + base);
        }
        ApiKey key = new ApiKey(spec.apiKeyEnv(), spec.name(), env);
        return switch (spec.kind()) {
            case OPENAI -> new OpenAiCompatibleClient(spec, key);
            case ANTHROPIC -> new AnthropicClient(spec, key);
        };
    }

    /** The base URL as text without trailing slashes. */
    static String trimSlash(URI base) {
        String text = base.toString();
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '/') {
            end--;
        }
        return text.substring(0, end);
    }

    /** A request body's bytes; serialising a tree cannot fail in practice, but is still mapped. */
    static byte[] bytes(String provider, JsonNode body) throws ProviderFailure {
        try {
            return Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new ProviderFailure(
                    ErrorKind.BAD_REQUEST,
                    provider + ": the request could not be written as JSON: " + e.getOriginalMessage());
        }
    }
}
