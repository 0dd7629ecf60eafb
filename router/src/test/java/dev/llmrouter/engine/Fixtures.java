package dev.llmrouter.engine;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.CatalogLoader;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.classify.Intents;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.provider.ScriptedProvider;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Set;

/** The engine's test fixtures: the fixture catalog and policies from the test resources, and routers over them. */
public final class Fixtures {
    public static final Set<String> INTENTS = Set.copyOf(Intents.DEFAULT);

    private Fixtures() {}

    public static Path resource(String name) {
        URL url = Fixtures.class.getResource("/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no test resource " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * {@code test-catalog.yaml}: small-a, small-b (tier 1), mid (tier 2), big, big-eu (tier 3). Read as a stream, so
     * that other modules' tests can use it from the test jar.
     */
    public static Catalog catalog() {
        try (java.io.InputStream in = Fixtures.class.getResourceAsStream("/test-catalog.yaml")) {
            return CatalogLoader.admit(
                    dev.llmrouter.config.Documents.parse(
                            new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
                            "test-catalog.yaml"),
                    "test-catalog.yaml");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A one-turn request of about 140 bytes with {@code max_tokens} 50: its worst case (one token a byte) bounds
     * what {@link dev.llmrouter.provider.ScriptedProvider} reports (100 tokens in, 50 out), so budget tests can
     * count exactly.
     */
    public static final dev.llmrouter.request.ChatRequest MEETING_NOTES = new dev.llmrouter.request.ChatRequest(
            java.util.List.of(dev.llmrouter.request.Message.of(
                    "user",
                    "Please summarise the notes of the weekly meeting: the budget review moved to Friday, the"
                            + " release is on track and the new hire starts Monday.")),
            java.util.OptionalInt.of(50),
            false,
            java.util.Map.of(),
            java.util.Map.of(),
            "");

    /** {@code test-policy.yaml}: routes confidential, pinned, capped, default. */
    public static Policy policy() {
        return policy("test-policy.yaml");
    }

    public static Policy policy(String resourceName) {
        return PolicyLoader.load(resource(resourceName), catalog(), INTENTS);
    }

    /** A router over the fixtures whose only provider is {@code provider}; trace ids are trace-1, trace-2, ... */
    public static Router router(Policy policy, Classifier classifier, ScriptedProvider provider, FakeClock clock) {
        int[] next = {0};
        return Router.builder()
                .catalog(catalog())
                .policy(policy)
                .classifier(classifier)
                .provider("fake", provider)
                .clock(clock)
                .traceIds(() -> "trace-" + ++next[0])
                .build();
    }
}
