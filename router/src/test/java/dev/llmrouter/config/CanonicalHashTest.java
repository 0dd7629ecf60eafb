package dev.llmrouter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.CatalogLoader;
import dev.llmrouter.engine.Fixtures;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.request.Json;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A policy or catalog is identified by the sha256 of its canonical form: key order, layout, comments, number
 * spelling and YAML-versus-JSON do not change it; any value does.
 */
class CanonicalHashTest {
    private static final String POLICY = """
            id: p
            version: 1
            defaults:
              fallback: {on: [timeout, server_error], max_attempts: 3}
              cascade: {quality_floor: 0.7, gate_threshold: 0.5}
            routes:
              - name: code
                match: {intents: [code]}
                filter: {max_output_price: 16, regions: [us]}
              - name: default
            """;

    private static String hash(String document) {
        return Documents.canonicalHash(Documents.parse(document, "doc"));
    }

    private static Policy policy(String document) {
        return PolicyLoader.admit(Documents.parse(document, "doc"), "doc", Fixtures.catalog(), Fixtures.INTENTS);
    }

    @Test
    void reorderedKeysKeepTheHash() {
        String reordered = """
                routes:
                  - match: {intents: [code]}
                    filter: {regions: [us], max_output_price: 16}
                    name: code
                  - name: default
                defaults:
                  cascade: {gate_threshold: 0.5, quality_floor: 0.7}
                  fallback: {max_attempts: 3, on: [timeout, server_error]}
                version: 1
                id: p
                """;

        assertEquals(policy(POLICY).hash(), policy(reordered).hash());
    }

    @Test
    void reformattingAndCommentsKeepTheHash() {
        String reformatted = """
                # the same policy, block style, with comments
                id: "p"          # quoted this time
                version: 1
                defaults:
                  fallback:
                    on:
                      - timeout
                      - server_error
                    max_attempts: 3
                  cascade:
                    quality_floor: 0.70
                    gate_threshold: 0.5
                routes:
                  - name: code
                    match:
                      intents: [ code ]
                    filter:
                      max_output_price: 16.0
                      regions: ['us']

                  - name: default
                """;

        assertEquals(policy(POLICY).hash(), policy(reformatted).hash());
    }

    @Test
    void equivalentJsonKeepsTheHash() {
        String json = """
                {"routes": [{"name": "code", "match": {"intents": ["code"]},
                             "filter": {"regions": ["us"], "max_output_price": 16}},
                            {"name": "default"}],
                 "defaults": {"fallback": {"on": ["timeout", "server_error"], "max_attempts": 3},
                              "cascade": {"quality_floor": 0.7, "gate_threshold": 0.5}},
                 "id": "p", "version": 1}
                """;

        assertEquals(policy(POLICY).hash(), policy(json).hash());
    }

    @Test
    void fixturePolicyAndCatalogHashTheSameAsTheirJsonForm() throws IOException {
        for (String resource : new String[] {"test-policy.yaml", "test-catalog.yaml"}) {
            String yaml = Files.readString(Fixtures.resource(resource));
            String json = Json.MAPPER.writeValueAsString(Documents.parse(yaml, resource));

            assertEquals(hash(yaml), hash(json), resource);
        }
        Catalog catalog = Fixtures.catalog();
        String catalogJson = Json.MAPPER.writeValueAsString(Documents.read(Fixtures.resource("test-catalog.yaml")));
        assertEquals(
                catalog.hash(),
                CatalogLoader.admit(Documents.parse(catalogJson, "json"), "json")
                        .hash());
    }

    @Test
    void numberSpellingDoesNotMatter() {
        assertEquals(hash("a: 5"), hash("a: 5.0"));
        assertEquals(hash("a: 0.5"), hash("a: 0.50"));
        assertEquals(hash("a: 1e3"), hash("a: 1000"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "version: 1 -> version: 2",
                "max_attempts: 3 -> max_attempts: 4",
                "quality_floor: 0.7 -> quality_floor: 0.75",
                "[timeout, server_error] -> [server_error, timeout]",
                "intents: [code] -> intents: [math]",
                "name: code -> name: coding",
                "regions: [us] -> regions: [eu]",
            })
    void changingOneValueChangesTheHash(String change) {
        String[] fromTo = change.split(" -> ");
        String changed = POLICY.replace(fromTo[0], fromTo[1]);
        assertNotEquals(POLICY, changed, "the change applies to the document");

        assertNotEquals(policy(POLICY).hash(), policy(changed).hash());
    }

    @Test
    void stringAndNumberOfTheSameTextHashDifferently() {
        assertNotEquals(hash("a: 1"), hash("a: \"1\""));
        assertNotEquals(hash("a: true"), hash("a: \"true\""));
    }

    @Test
    void routeOrderIsPartOfTheIdentity() {
        String two = """
                id: p
                version: 1
                routes:
                  - {name: a, match: {intents: [code]}}
                  - {name: b, match: {intents: [math]}}
                  - name: default
                """;
        String swapped = """
                id: p
                version: 1
                routes:
                  - {name: b, match: {intents: [math]}}
                  - {name: a, match: {intents: [code]}}
                  - name: default
                """;

        assertNotEquals(policy(two).hash(), policy(swapped).hash());
    }

    @Test
    void hashIsLowerCaseHexSha256() {
        String h = hash("a: 1");

        assertEquals(64, h.length());
        assertEquals(h, h.toLowerCase(java.util.Locale.ROOT));
        // the canonical form of {a: 1} is the compact JSON {"a":1}
        assertEquals(Sha256.hex("{\"a\":1}"), h);
    }
}
