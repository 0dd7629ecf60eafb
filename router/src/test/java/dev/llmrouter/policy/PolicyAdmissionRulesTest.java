package dev.llmrouter.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.CatalogLoader;
import dev.llmrouter.config.InvalidConfigException;
import dev.llmrouter.engine.Fixtures;
import dev.llmrouter.provider.ErrorKind;
import dev.llmrouter.request.Capability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policy admission beyond the table of bad policies: messages, files, defaults and the admitted values. */
class PolicyAdmissionRulesTest {
    private static Policy admit(String yaml) {
        return PolicyAdmissionTest.admit(yaml);
    }

    private static List<String> errorsOf(String yaml) {
        return PolicyAdmissionTest.errorsOf(yaml);
    }

    private static String routed(String firstRoute) {
        return PolicyAdmissionTest.routed(firstRoute);
    }

    @Test
    void watchBoundsComeFromTheRouteThenTheDefaultsThenTheBuiltIns() {
        Policy policy = admit("""
                id: p
                version: 1
                defaults:
                  watch: {escalation_rate: [0.05, 0.5], window: 1h}
                routes:
                  - name: first
                    match: {metadata: {app: x}}
                    watch: {fallback_rate: 0.1, decision_p99: 500us, feedback_score: 0.8, provider_share: 0.75,
                            min_requests: 5}
                  - name: default
                """);
        Route.Watch first = policy.routes().get(0).watch();
        assertEquals(
                new Route.Watch(
                        0.02,
                        0.30,
                        0.1,
                        Duration.ofNanos(500_000),
                        0.8,
                        OptionalDouble.of(0.75),
                        Duration.ofMinutes(30),
                        5),
                first,
                "a route's watch replaces the defaults' whole, as every verb does; what it leaves out is built in");
        Route.Watch last = policy.routes().get(1).watch();
        assertEquals(0.05, last.escalationFloor());
        assertEquals(0.5, last.escalationCeiling());
        assertEquals(Duration.ofHours(1), last.window());
        assertEquals(Route.Watch.DEFAULT.fallbackRate(), last.fallbackRate());
        assertEquals(
                Route.Watch.DEFAULT,
                admit("id: p\nversion: 1\nroutes:\n  - name: default\n")
                        .routes()
                        .get(0)
                        .watch());
    }

    @Test
    void watchIsPartOfThePolicysIdentity() {
        String plain = "id: p\nversion: 1\nroutes:\n  - name: default\n";
        String watched = plain + "    watch: {escalation_rate: [0.01, 0.2]}\n";
        assertTrue(!admit(plain).hash().equals(admit(watched).hash()), "a changed alert bound is a changed policy");
    }

    @Test
    void refusalMessageNamesTheDocumentAndCountsTheErrors() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> admit("""
                id: p
                version: 0
                routes:
                  - name: default
                    rank: smartest
                """));

        assertEquals(
                "policy inline refused with 2 errors:\n"
                        + "  version: must be between 1 and 2147483647, got 0\n"
                        + "  routes[0].rank: unknown ranking 'smartest' (known: cheapest, fastest, quality)",
                e.getMessage());
    }

    @Test
    void invalidYamlSyntaxNamesTheFileAndTheLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, """
                id: p
                version: 1
                routes:
                  - name: a
                   bad: indent
                """);

        InvalidConfigException e = assertThrows(
                InvalidConfigException.class,
                () -> PolicyLoader.load(file, PolicyAdmissionTest.CATALOG, Fixtures.INTENTS));

        assertEquals(1, e.errors().size());
        assertTrue(
                e.errors().getFirst().startsWith(file + ": not valid YAML at line 5, column 4: "),
                e.errors().getFirst());
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        Path file = dir.resolve("absent.yaml");

        InvalidConfigException e = assertThrows(
                InvalidConfigException.class,
                () -> PolicyLoader.load(file, PolicyAdmissionTest.CATALOG, Fixtures.INTENTS));

        assertEquals(List.of(file + ": no such file"), e.errors());
    }

    @Test
    void invalidYamlNamesTheLineTheProblemIsOn() {
        InvalidConfigException e =
                assertThrows(InvalidConfigException.class, () -> admit("id: p\nversion: 1\n\troutes: x\n"));

        assertTrue(
                e.errors().getFirst().startsWith(PolicyAdmissionTest.NAME + ": not valid YAML at line 3"),
                e.errors().getFirst());
    }

    @Test
    void duplicateKeyIsRefused() {
        List<String> errors = errorsOf("""
                id: p
                version: 1
                routes:
                  - name: default
                    filter: {regions: [eu]}
                    filter: {max_tier: 2}
                """);

        assertEquals(1, errors.size());
        assertTrue(errors.getFirst().contains("line 6"), errors.getFirst());
    }

    @Test
    void unknownIntentIsNotAlsoReportedAsAnEmptyMatch() {
        List<String> errors = errorsOf("""
                id: p
                version: 1
                routes:
                  - name: poems
                    match: {intents: [poetry]}
                  - name: default
                """);

        assertEquals(
                List.of("routes[0].match.intents[0]: unknown intent 'poetry' (the classifier knows: chat, code,"
                        + " extraction, knowledge, math, reasoning, support, writing)"),
                errors);
    }

    @Test
    void negativeDurationsAreRefused() {
        assertEquals(
                List.of(
                        "routes[0].fallback.max_retry_after: must be a positive duration, got \"-1s\"",
                        "routes[0].fallback.cooldown.for: must be a positive duration, got \"-30s\""),
                errorsOf(routed("fallback: {max_retry_after: -1s, cooldown: {for: -30s}}")));
    }

    // --- admitted policies ---

    @Test
    void repositoryExamplePolicyIsAdmittedAgainstTheRepositoryCatalog() {
        Catalog catalog = CatalogLoader.load(Path.of("../config/catalog.yaml"));
        Policy policy = PolicyLoader.load(Path.of("../config/policy.yaml"), catalog, Fixtures.INTENTS);

        assertEquals("default", policy.id());
        assertEquals(
                List.of("confidential", "regulated", "code", "support-bot", "default"),
                policy.routes().stream().map(Route::name).toList());
        assertTrue(policy.routes().getLast().match().matchesEverything());
        assertEquals(64, policy.hash().length());
    }

    @Test
    void fixturePolicyIsAdmittedWithItsVerbs() {
        Policy policy = Fixtures.policy();

        assertEquals("test", policy.id());
        assertEquals(7, policy.version());
        assertEquals("standard", policy.defaultRiskClass());
        assertEquals(
                new RiskClass("confidential", Set.of(), Set.of("eu")),
                policy.riskClasses().get("confidential"));
        assertEquals(
                new RiskClass("regulated", Set.of("mid", "big"), Set.of()),
                policy.riskClasses().get("regulated"));
        Route pinned = policy.route("pinned").orElseThrow();
        assertEquals(new Route.Select(Optional.of("mid"), List.of("big-eu", "small-a")), pinned.select());
        assertEquals(false, pinned.cascade().enabled());
        Route capped = policy.route("capped").orElseThrow();
        assertEquals(OptionalDouble.of(5.0), capped.filter().maxOutputPrice());
        assertEquals(OptionalDouble.of(0.05), capped.filter().maxRequestCost());
        assertEquals(OptionalDouble.empty(), capped.filter().maxInputPrice());
        assertEquals(
                Route.Cascade.Streaming.SKIP,
                policy.route("confidential").orElseThrow().cascade().streaming());
    }

    @Test
    void routeWithoutAVerbTakesItFromDefaultsThenFromTheBuiltInDefault() {
        Route route = Fixtures.policy().route("default").orElseThrow();

        assertEquals(
                new Route.Fallback(
                        Set.of(
                                ErrorKind.RATE_LIMITED,
                                ErrorKind.TIMEOUT,
                                ErrorKind.OVERLOADED,
                                ErrorKind.SERVER_ERROR,
                                ErrorKind.CONTEXT_TOO_LONG,
                                ErrorKind.AUTH),
                        4,
                        Duration.ofSeconds(2),
                        3,
                        Duration.ofSeconds(30)),
                route.fallback());
        assertEquals(
                new Route.Cascade(
                        true,
                        0.7,
                        1.0,
                        0.5,
                        2,
                        Route.Cascade.Streaming.BUFFER,
                        Route.Cascade.OnEscalationFailure.SERVE,
                        0),
                route.cascade());
        assertEquals(Route.Rank.DEFAULT, route.rank());
        assertEquals(Route.Mutate.DEFAULT, route.mutate());
        assertEquals(Route.Filter.NONE, route.filter());
        assertEquals(Route.Select.AUTO, route.select());
        assertEquals(Route.Match.ANY, route.match());
    }

    @Test
    void routeVerbReplacesTheDefaultVerbAsAWhole() {
        Policy policy = admit("""
                id: p
                version: 1
                defaults:
                  fallback: {on: [timeout], max_attempts: 3, max_retry_after: 1s}
                  cascade: {quality_floor: 0.9, max_escalations: 3}
                routes:
                  - name: default
                    fallback: {max_attempts: 2}
                """);

        Route route = policy.routes().getFirst();
        // fields the route's fallback leaves out come from the built-in default, not from defaults.fallback
        assertEquals(Route.Fallback.DEFAULT.moveOn(), route.fallback().moveOn());
        assertEquals(2, route.fallback().maxAttempts());
        assertEquals(Route.Fallback.DEFAULT.maxRetryAfter(), route.fallback().maxRetryAfter());
        assertEquals(
                new Route.Cascade(
                        true,
                        0.9,
                        1.0,
                        0.5,
                        3,
                        Route.Cascade.Streaming.BUFFER,
                        Route.Cascade.OnEscalationFailure.SERVE,
                        0),
                route.cascade());
    }

    @Test
    void everyVerbIsReadFromAFullRoute() {
        Policy policy = admit("""
                id: full
                version: 3
                description: every verb
                risk_classes:
                  standard: {description: plain}
                routes:
                  - name: default
                    description: catch-all
                    filter:
                      capabilities: [tools]
                      regions: [us]
                      max_input_price: 2
                      max_output_price: 8.5
                      max_request_cost: 0.25
                      allowed_models: [small-a, mid]
                      denied_models: [big]
                      min_tier: 1
                      max_tier: 2
                    rank: {by: quality, expected_output_tokens: 250}
                    select: {start: auto, failover: [mid]}
                    mutate: {clamp_max_tokens: false, drop_unsupported_params: false, default_max_tokens: 700}
                    fallback:
                      on: [rate_limited, context_too_long]
                      max_attempts: 6
                      max_retry_after: 500ms
                      cooldown: {after_failures: 5, for: 1m}
                    cascade: {enabled: false, quality_floor: 0.6, gate_threshold: 0.4, max_escalations: 0, streaming: skip}
                """);

        Route r = policy.routes().getFirst();
        assertEquals(
                new Route.Filter(
                        Set.of(Capability.TOOLS),
                        Set.of("us"),
                        OptionalDouble.of(2),
                        OptionalDouble.of(8.5),
                        OptionalDouble.of(0.25),
                        Set.of("small-a", "mid"),
                        Set.of("big"),
                        1,
                        2),
                r.filter());
        assertEquals(new Route.Rank(Route.Rank.By.QUALITY, 250), r.rank());
        assertEquals(new Route.Select(Optional.empty(), List.of("mid")), r.select());
        assertEquals(new Route.Mutate(false, false, OptionalInt.of(700)), r.mutate());
        assertEquals(
                new Route.Fallback(
                        Set.of(ErrorKind.RATE_LIMITED, ErrorKind.CONTEXT_TOO_LONG),
                        6,
                        Duration.ofMillis(500),
                        5,
                        Duration.ofMinutes(1)),
                r.fallback());
        assertEquals(
                new Route.Cascade(
                        false,
                        0.6,
                        1.0,
                        0.4,
                        0,
                        Route.Cascade.Streaming.SKIP,
                        Route.Cascade.OnEscalationFailure.SERVE,
                        0),
                r.cascade());
        assertEquals(
                new RiskClass("standard", Set.of(), Set.of()),
                policy.riskClasses().get("standard"));
    }

    @Test
    void policyWithoutRiskClassesHasOnlyStandard() {
        Policy policy = admit("""
                id: p
                version: 1
                routes:
                  - name: default
                """);

        assertEquals(Set.of("standard"), policy.riskClasses().keySet());
        assertEquals("standard", policy.defaultRiskClass());
    }

    @Test
    void emptyFallbackOnListMovesOnNoError() {
        Policy policy = admit(routed("fallback: {on: []}"));

        assertEquals(Set.of(), policy.routes().getFirst().fallback().moveOn());
    }
}
