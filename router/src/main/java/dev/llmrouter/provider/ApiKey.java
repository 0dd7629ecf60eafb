package dev.llmrouter.provider;

import java.util.Optional;
import java.util.function.Function;

/**
 * Where a provider's API key comes from. The key is looked up on every call (so a missing key fails calls,
 * never construction) and is never stored, printed or put in a message: {@link #toString()} names only the
 * environment variable.
 */
final class ApiKey {
    private final String envName;
    private final String providerName;
    private final Function<String, Optional<String>> env;

    ApiKey(String envName, String providerName, Function<String, Optional<String>> env) {
        this.envName = envName;
        this.providerName = providerName;
        this.env = env;
    }

    /**
     * The key, or empty when the provider needs none. Fails with {@link ErrorKind#AUTH} when the variable is
     * unset or blank, or holds a value no HTTP header can carry.
     */
    Optional<String> resolve() throws ProviderFailure {
        if (envName.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> looked = env.apply(envName);
        Optional<String> value =
                looked == null ? Optional.empty() : looked.map(String::strip).filter(v -> !v.isEmpty());
        if (value.isEmpty()) {
            throw new ProviderFailure(
                    ErrorKind.AUTH, envName + " is not set: export it with the " + providerName + " API key");
        }
        if (!headerSafe(value.get())) {
            throw new ProviderFailure(
                    ErrorKind.AUTH,
                    envName + " holds characters an HTTP header cannot carry: export the " + providerName
                            + " API key again without spaces or control characters");
        }
        return value;
    }

    private static boolean headerSafe(String value) {
        return value.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    @Override
    public String toString() {
        return "ApiKey[env=" + envName + "]";
    }
}
