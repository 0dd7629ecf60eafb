package dev.llmrouter.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.config.Documents;
import dev.llmrouter.config.InvalidConfigException;
import dev.llmrouter.engine.Fixtures;
import dev.llmrouter.request.Capability;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Catalog admission: every unknown field, wrong type or impossible value is refused with its path. */
class CatalogAdmissionTest {
    private static final String NAME = "catalog inline";
    private static final String HEAD = """
            prices_as_of: 2026-01-01
            regions: [us, eu]
            providers:
              p: {kind: openai, base_url: "http://127.0.0.1:9/v1"}
            models:
            """;

    static Catalog admit(String yaml) {
        return CatalogLoader.admit(Documents.parse(yaml, NAME), NAME);
    }

    static List<String> errorsOf(String yaml) {
        return assertThrows(InvalidConfigException.class, () -> admit(yaml)).errors();
    }

    /** A catalog whose only model is {@code fields} (flow-mapping entries) plus the required ones not given. */
    private static String model(String fields) {
        return HEAD + "  - {" + withDefaults(fields) + "}\n";
    }

    private static String withDefaults(String fields) {
        StringBuilder all = new StringBuilder(fields);
        for (String required : List.of(
                "id: m",
                "provider: p",
                "tier: 1",
                "price: {input: 1, output: 2}",
                "context_window: 1000",
                "max_output_tokens: 100",
                "region: us")) {
            String key = required.substring(0, required.indexOf(':') + 1);
            if (!fields.contains(key)) {
                all.append(all.isEmpty() ? "" : ", ").append(required);
            }
        }
        return all.toString();
    }

    private static Arguments bad(String name, String yaml, String... errors) {
        return Arguments.of(name, yaml, List.of(errors));
    }

    static Stream<Arguments> badCatalogs() {
        return Stream.of(
                // --- unknown fields ---
                bad(
                        "unknown field at the top level",
                        "currency: USD\n" + model(""),
                        "currency: unknown field (known: models, prices_as_of, providers, regions)"),
                bad(
                        "unknown field in a model",
                        model("cost: 3"),
                        "models[0].cost: unknown field (known: capabilities, context_window, data_names, id, latency,"
                                + " max_output_tokens, price, provider, region, tier, unsupported_params, upstream_id)"),
                bad(
                        "data names that are not a list of names",
                        model("data_names: gpt-4o-2024-05-13"),
                        "models[0].data_names: expected a list, got \"gpt-4o-2024-05-13\""),
                bad(
                        "unknown field in a model's price",
                        model("price: {input: 1, output: 2, currency: USD}"),
                        "models[0].price.currency: unknown field (known: input, output)"),
                bad(
                        "unknown field in a model's latency",
                        model("latency: {p99_ms: 900}"),
                        "models[0].latency.p99_ms: unknown field (known: first_token_ms, tokens_per_second)"),
                bad(
                        "unknown field in a provider",
                        """
                        prices_as_of: 2026-01-01
                        regions: [us]
                        providers:
                          p: {kind: openai, base_url: "http://127.0.0.1:9/v1", timeout: 5s}
                        models:
                          - {id: m, provider: p, tier: 1, price: {input: 1, output: 2}, context_window: 1000, max_output_tokens: 100, region: us}
                        """,
                        "providers.p.timeout: unknown field (known: api_key_env, base_url, kind, timeouts)"),
                bad(
                        "unknown field in a provider's timeouts",
                        """
                        prices_as_of: 2026-01-01
                        regions: [us]
                        providers:
                          p: {kind: openai, base_url: "http://127.0.0.1:9/v1", timeouts: {read: 5s}}
                        models:
                          - {id: m, provider: p, tier: 1, price: {input: 1, output: 2}, context_window: 1000, max_output_tokens: 100, region: us}
                        """,
                        "providers.p.timeouts.read: unknown field (known: connect, first_byte, total)"),

                // --- unknown names ---
                bad(
                        "unknown provider kind",
                        """
                        prices_as_of: 2026-01-01
                        regions: [us]
                        providers:
                          p: {kind: openai, base_url: "http://127.0.0.1:9/v1"}
                          q: {kind: grpc, base_url: "http://127.0.0.1:9/v1"}
                        models:
                          - {id: m, provider: p, tier: 1, price: {input: 1, output: 2}, context_window: 1000, max_output_tokens: 100, region: us}
                        """,
                        "providers.q.kind: unknown provider kind 'grpc' (known: openai, anthropic)"),
                bad(
                        "model of a provider the catalog does not define",
                        model("provider: acme"),
                        "models[0].provider: unknown provider 'acme' (defined: p)"),
                bad(
                        "model in a region the catalog does not list",
                        model("region: mars"),
                        "models[0].region: unknown region 'mars' (catalog regions: us, eu)"),
                bad(
                        "capability that does not exist",
                        model("capabilities: [tools, telepathy]"),
                        "models[0].capabilities[1]: unknown capability 'telepathy' (known: tools, json_output, vision,"
                                + " streaming, logprobs)"),

                // --- wrong types ---
                bad(
                        "string where a whole number belongs",
                        model("tier: one"),
                        "models[0].tier: expected a whole number, got \"one\""),
                bad(
                        "string where a number belongs",
                        model("price: {input: cheap, output: 2}"),
                        "models[0].price.input: expected a number, got \"cheap\""),
                bad(
                        "number where a list belongs",
                        model("capabilities: 5"),
                        "models[0].capabilities: expected a list, got 5"),
                bad("number where a mapping belongs", model("price: 5"), "models[0].price: expected a mapping, got 5"),
                bad(
                        "fraction where a whole number belongs",
                        model("context_window: 1000.5"),
                        "models[0].context_window: expected a whole number, got 1000.5"),
                bad("mapping where the list of models belongs", """
                        prices_as_of: 2026-01-01
                        regions: [us]
                        providers:
                          p: {kind: openai, base_url: "http://127.0.0.1:9/v1"}
                        models: {m: {}}
                        """, "models: expected a list, got a mapping"),
                bad("string where a model belongs", HEAD + "  - m\n", "models[0]: expected a mapping, got \"m\""),
                bad(
                        "date that is not a date",
                        "prices_as_of: 2026-13-01\n" + model("").substring(HEAD.indexOf('\n') + 1),
                        "prices_as_of: expected a date as YYYY-MM-DD, got \"2026-13-01\""),
                bad(
                        "URL that is not http",
                        """
                        prices_as_of: 2026-01-01
                        regions: [us]
                        providers:
                          p: {kind: openai, base_url: "ftp://example.com"}
                          q: {kind: openai, base_url: "http://127.0.0.1:9/v1"}
                        models:
                          - {id: m, provider: q, tier: 1, price: {input: 1, output: 2}, context_window: 1000, max_output_tokens: 100, region: us}
                        """,
                        "providers.p.base_url: expected an http or https URL, got \"ftp://example.com\""),
                bad(
                        "API key variable that is not a variable name",
                        """
                        prices_as_of: 2026-01-01
                        regions: [us]
                        providers:
                          p: {kind: openai, base_url: "http://127.0.0.1:9/v1", api_key_env: "my key"}
                        models:
                          - {id: m, provider: p, tier: 1, price: {input: 1, output: 2}, context_window: 1000, max_output_tokens: 100, region: us}
                        """,
                        "providers.p.api_key_env: expected an environment variable name, got \"my key\""),

                // --- impossible values ---
                bad("tier 0", model("tier: 0"), "models[0].tier: must be between 1 and 9, got 0"),
                bad(
                        "negative price",
                        model("price: {input: 1, output: -2}"),
                        "models[0].price.output: must be between 0 and 10000, got -2"),
                bad(
                        "context window 0",
                        model("context_window: 0, max_output_tokens: 1"),
                        "models[0].context_window: must be between 1 and 100000000, got 0"),
                bad(
                        "max_output_tokens larger than the context window",
                        model("context_window: 1000, max_output_tokens: 2000"),
                        "models[0].max_output_tokens: cannot exceed context_window (1000)"),
                bad(
                        "latency of 0 ms",
                        model("latency: {first_token_ms: 0}"),
                        "models[0].latency.first_token_ms: must be between 1 and 600000, got 0"),
                bad(
                        "first-byte timeout longer than the total",
                        """
                        prices_as_of: 2026-01-01
                        regions: [us]
                        providers:
                          p:
                            kind: openai
                            base_url: "http://127.0.0.1:9/v1"
                            timeouts: {connect: 5s, first_byte: 60s, total: 30s}
                        models:
                          - {id: m, provider: p, tier: 1, price: {input: 1, output: 2}, context_window: 1000, max_output_tokens: 100, region: us}
                        """,
                        "providers.p.timeouts: the first-byte timeout cannot exceed the total timeout"),
                bad("zero timeout", """
                        prices_as_of: 2026-01-01
                        regions: [us]
                        providers:
                          p: {kind: openai, base_url: "http://127.0.0.1:9/v1", timeouts: {connect: 0s}}
                        models:
                          - {id: m, provider: p, tier: 1, price: {input: 1, output: 2}, context_window: 1000, max_output_tokens: 100, region: us}
                        """, "providers.p.timeouts: timeouts must be positive durations"),
                bad(
                        "duplicate model ids",
                        HEAD + "  - {" + withDefaults("") + "}\n  - {" + withDefaults("tier: 2") + "}\n",
                        "models: model id 'm' is listed twice"),

                // --- missing required fields ---
                bad(
                        "empty document",
                        "",
                        "prices_as_of: required",
                        "regions: list at least one region the catalog's models are served in",
                        "providers: required",
                        "models: list at least one model"),
                bad(
                        "model with only an id",
                        HEAD + "  - {id: m}\n",
                        "models[0].provider: required",
                        "models[0].tier: required",
                        "models[0].price: required",
                        "models[0].context_window: required",
                        "models[0].max_output_tokens: required",
                        "models[0].region: required"),
                bad("price without its input price", model("price: {output: 2}"), "models[0].price.input: required"),
                bad(
                        "empty list of models",
                        HEAD.replace("models:\n", "models: []\n"),
                        "models: list at least one model"),

                // --- several errors at once ---
                bad(
                        "several errors at once are all listed",
                        """
                        prices_as_of: 2026-01-01
                        regions: [us]
                        colour: red
                        providers:
                          p: {kind: openai, base_url: "http://127.0.0.1:9/v1"}
                        models:
                          - {id: a, provider: p, tier: 0, price: {input: 1, output: 2}, context_window: 1000, max_output_tokens: 100, region: us}
                          - {id: b, provider: acme, tier: 1, price: {input: x, output: 2}, context_window: 100, max_output_tokens: 1000, region: eu}
                        """,
                        "colour: unknown field (known: models, prices_as_of, providers, regions)",
                        "models[0].tier: must be between 1 and 9, got 0",
                        "models[1].provider: unknown provider 'acme' (defined: p)",
                        "models[1].price.input: expected a number, got \"x\"",
                        "models[1].max_output_tokens: cannot exceed context_window (100)",
                        "models[1].region: unknown region 'eu' (catalog regions: us)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCatalogs")
    void badCatalogIsRefusedWithEveryErrorAtItsPath(String name, String yaml, List<String> expected) {
        assertEquals(expected, errorsOf(yaml));
    }

    @Test
    void validInlineCatalogIsAdmitted() {
        Catalog catalog = admit(model(""));

        assertEquals(List.of("m"), catalog.models().stream().map(ModelSpec::id).toList());
    }

    @Test
    void invalidYamlSyntaxNamesTheFileAndTheLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("catalog.yaml");
        Files.writeString(file, """
                prices_as_of: 2026-01-01
                regions: [us
                providers: {}
                """);

        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> CatalogLoader.load(file));

        assertEquals(1, e.errors().size());
        assertTrue(
                e.errors().getFirst().startsWith(file + ": not valid YAML at line 3"),
                e.errors().getFirst());
        assertTrue(e.getMessage().startsWith(file + " refused with 1 error:"), e.getMessage());
    }

    @Test
    void modelOfAnInvalidProviderIsNotAlsoReportedAsUnknownProvider() {
        List<String> errors = errorsOf("""
                prices_as_of: 2026-01-01
                regions: [us]
                providers:
                  q: {kind: grpc, base_url: "http://127.0.0.1:9/v1"}
                models:
                  - {id: m, provider: q, tier: 1, price: {input: 1, output: 2}, context_window: 1000, max_output_tokens: 100, region: us}
                """);

        assertEquals(List.of("providers.q.kind: unknown provider kind 'grpc' (known: openai, anthropic)"), errors);
    }

    // --- admitted catalogs ---

    @Test
    void repositoryCatalogIsAdmitted() {
        Catalog catalog = CatalogLoader.load(Path.of("../config/catalog.yaml"));

        assertTrue(catalog.models().size() >= 10, "the example catalog lists many models");
        assertTrue(catalog.regions().containsAll(Set.of("us", "eu")));
        for (ModelSpec m : catalog.models()) {
            assertTrue(catalog.regions().contains(m.region()), m.id());
            assertTrue(catalog.providers().containsKey(m.provider()), m.id());
            assertTrue(m.maxOutputTokens() <= m.contextWindow(), m.id());
        }
        assertEquals(64, catalog.hash().length());
    }

    @Test
    void fixtureCatalogIsAdmittedWithDefaultsFilledIn() {
        Catalog catalog = Fixtures.catalog();

        assertEquals(LocalDate.of(2026, 1, 1), catalog.pricesAsOf());
        assertEquals(Set.of("us", "eu"), catalog.regions());
        assertEquals(
                List.of("small-a", "small-b", "mid", "big", "big-eu"),
                catalog.models().stream().map(ModelSpec::id).toList());
        ProviderSpec fake = catalog.providers().get("fake");
        assertEquals(
                new ProviderSpec(
                        "fake", ProviderSpec.Kind.OPENAI, URI.create("http://127.0.0.1:9/v1"), "", Timeouts.DEFAULT),
                fake);
        ModelSpec mid = catalog.model("mid").orElseThrow();
        assertEquals(
                new ModelSpec(
                        "mid",
                        "fake",
                        "mid",
                        2,
                        1.0,
                        4.0,
                        64_000,
                        8_000,
                        Set.of(Capability.TOOLS, Capability.JSON_OUTPUT, Capability.VISION, Capability.STREAMING),
                        "us",
                        Set.of("temperature"),
                        800,
                        60,
                        List.of()),
                mid);
        assertEquals(fake, catalog.providerOf(mid));
        assertEquals(Optional.empty(), catalog.model("gpt-9"));
    }

    @Test
    void upstreamIdAndTimeoutsAreReadWhenGiven() {
        Catalog catalog = admit("""
                prices_as_of: 2026-01-01
                regions: [us]
                providers:
                  p:
                    kind: anthropic
                    base_url: https://api.example.com
                    api_key_env: EXAMPLE_KEY
                    timeouts: {connect: 2s, first_byte: 10s, total: 1m}
                models:
                  - {id: m, upstream_id: vendor/m-2025, provider: p, tier: 3, price: {input: 1, output: 2}, context_window: 1000, max_output_tokens: 100, region: us, latency: {first_token_ms: 50, tokens_per_second: 500}}
                """);

        ProviderSpec p = catalog.providers().get("p");
        assertEquals(ProviderSpec.Kind.ANTHROPIC, p.kind());
        assertEquals("EXAMPLE_KEY", p.apiKeyEnv());
        assertEquals(new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofMinutes(1)), p.timeouts());
        ModelSpec m = catalog.models().getFirst();
        assertEquals("vendor/m-2025", m.upstreamId());
        assertEquals(50, m.firstTokenMs());
        assertEquals(500, m.tokensPerSecond());
    }

    @Test
    void withModelsReplacesModelsOfTheSameIdAndAppendsNewOnes() {
        Catalog catalog = Fixtures.catalog();
        ModelSpec cheaperMid = new ModelSpec(
                "mid", "fake", "mid", 2, 0.5, 2.0, 64_000, 8_000, Set.of(), "us", Set.of(), 800, 60, List.of());
        ModelSpec extra = new ModelSpec(
                "extra", "fake", "extra", 1, 0.1, 0.1, 1_000, 100, Set.of(), "us", Set.of(), 800, 60, List.of());

        Catalog changed = catalog.withModels(List.of(cheaperMid, extra), "new-hash");

        assertEquals(
                List.of("small-a", "small-b", "mid", "big", "big-eu", "extra"),
                changed.models().stream().map(ModelSpec::id).toList());
        assertEquals(0.5, changed.model("mid").orElseThrow().inputPrice());
        assertEquals("new-hash", changed.hash());
        assertEquals(1.0, catalog.model("mid").orElseThrow().inputPrice(), "the original is unchanged");
    }

    @Test
    void modelCostAndLatencyFollowTheCatalogFigures() {
        ModelSpec mid = Fixtures.catalog().model("mid").orElseThrow();

        assertEquals((1_000 * 1.0 + 500 * 4.0) / 1e6, mid.costUsd(1_000, 500), 1e-15);
        assertEquals(800 + 1000.0 * 120 / 60, mid.expectedLatencyMs(120), 1e-9);
    }
}
