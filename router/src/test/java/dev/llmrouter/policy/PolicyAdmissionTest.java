package dev.llmrouter.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.config.Documents;
import dev.llmrouter.config.InvalidConfigException;
import dev.llmrouter.engine.Fixtures;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Policy admission: a bad policy is refused with every error, each naming the exact path of the offending
 * value. Admitted against the fixture catalog (small-a, small-b, mid, big, big-eu; regions us, eu) and the
 * default intent labels.
 */
class PolicyAdmissionTest {
    static final Catalog CATALOG = Fixtures.catalog();
    static final String NAME = "policy inline";

    static Policy admit(String yaml) {
        return PolicyLoader.admit(Documents.parse(yaml, NAME), NAME, CATALOG, Fixtures.INTENTS);
    }

    static List<String> errorsOf(String yaml) {
        return assertThrows(InvalidConfigException.class, () -> admit(yaml)).errors();
    }

    private static Arguments bad(String name, String yaml, String... errors) {
        return Arguments.of(name, yaml, List.of(errors));
    }

    /** A policy with one route in front of the catch-all, for errors inside a route that is not the last. */
    static String routed(String firstRoute) {
        return """
                id: p
                version: 1
                routes:
                  - name: first
                    match: {metadata: {app: x}}
                """ + firstRoute.indent(4) + """
                  - name: default
                """;
    }

    static Stream<Arguments> badPolicies() {
        return Stream.of(
                // --- watch: the alert bounds ---
                bad(
                        "watch bounds out of range, reversed or of the wrong shape",
                        routed("""
                                watch:
                                  escalation_rate: [0.4, 0.1]
                                  fallback_rate: 2
                                  decision_p99: soon
                                  window: 1s
                                  colour: red
                                """),
                        "routes[0].watch.colour: unknown field (known: decision_p99, escalation_rate, fallback_rate,"
                                + " feedback_score, min_requests, provider_share, window)",
                        "routes[0].watch.escalation_rate: the floor 0.4 is above the ceiling 0.1",
                        "routes[0].watch.decision_p99: expected a duration such as 500ms, 30s, 5m or 1h, got \"soon\"",
                        "routes[0].watch.window: between 10s and 7d: Prometheus needs a few scrapes in it",
                        "routes[0].watch.fallback_rate: must be between 0 and 1, got 2"),
                bad(
                        "watch escalation_rate that is not a pair",
                        routed("""
                                watch: {escalation_rate: [0.1], provider_share: -1}
                                """),
                        "routes[0].watch.escalation_rate: expected [floor, ceiling], two shares between 0 and 1,"
                                + " e.g. [0.02, 0.30]",
                        "routes[0].watch.provider_share: must be between 0 and 1, got -1"),
                // --- unknown fields and operators ---
                bad(
                        "unknown field at the top level",
                        """
                        id: p
                        version: 1
                        colour: red
                        routes:
                          - name: default
                        """,
                        "colour: unknown field (known: budgets, default_risk_class, defaults, description, id, risk_classes,"
                                + " routes, version)"),
                bad(
                        "unknown field inside a route's filter",
                        routed("filter: {max_price: 3}"),
                        "routes[0].filter.max_price: unknown field (known: allowed_models, capabilities,"
                                + " denied_models, max_input_price, max_output_price, max_request_cost, max_tier,"
                                + " min_tier, regions)"),
                bad(
                        "unknown verb in a route",
                        routed("sort: cheapest"),
                        "routes[0].sort: unknown field (known: cascade, description, explore, fallback, filter, match, mutate,"
                                + " name, rank, select, watch)"),
                bad(
                        "route field under defaults",
                        """
                        id: p
                        version: 1
                        defaults: {match: {intents: [code]}}
                        routes:
                          - name: default
                        """,
                        "defaults.match: unknown field (known: cascade, explore, fallback, filter, mutate, rank, select, watch)"),
                bad(
                        "unknown field in a risk class",
                        """
                        id: p
                        version: 1
                        risk_classes:
                          standard: {region: [eu]}
                        routes:
                          - name: default
                        """,
                        "risk_classes.standard.region: unknown field (known: allowed_models, description, regions)"),
                bad(
                        "unknown field three levels down",
                        routed("fallback: {cooldown: {after: 3}}"),
                        "routes[0].fallback.cooldown.after: unknown field (known: after_failures, for)"),
                bad(
                        "unknown ranking",
                        routed("rank: {by: smartest}"),
                        "routes[0].rank.by: unknown ranking 'smartest' (known: cheapest, fastest, quality)"),
                bad(
                        "unknown ranking in the short form",
                        routed("rank: smartest"),
                        "routes[0].rank: unknown ranking 'smartest' (known: cheapest, fastest, quality)"),
                bad(
                        "unknown streaming mode",
                        routed("cascade: {streaming: chunked}"),
                        "routes[0].cascade.streaming: unknown streaming mode 'chunked' (known: buffer, skip)"),
                bad(
                        "unknown on_escalation_failure",
                        routed("cascade: {on_escalation_failure: retry}"),
                        "routes[0].cascade.on_escalation_failure: unknown choice 'retry' (known: serve, fail)"),
                bad(
                        "unknown error kind",
                        routed("fallback: {on: [server_error, teapot]}"),
                        "routes[0].fallback.on[1]: unknown error kind 'teapot' (known: rate_limited, timeout,"
                                + " overloaded, server_error, context_too_long, bad_request, auth, content_filtered)"),
                bad(
                        "error kind that cannot move on",
                        routed("fallback: {on: [bad_request]}"),
                        "routes[0].fallback.on[0]: bad_request always returns to the caller: another model cannot fix"
                                + " it"),
                bad(
                        "error kind that cannot move on, under defaults",
                        """
                        id: p
                        version: 1
                        defaults:
                          fallback: {on: [timeout, content_filtered]}
                        routes:
                          - name: default
                        """,
                        "defaults.fallback.on[1]: content_filtered always returns to the caller: another model cannot"
                                + " fix it"),

                // --- names the catalog or the classifier does not know ---
                bad(
                        "model the catalog lacks in a filter",
                        routed("filter: {allowed_models: [mid, gpt-9], denied_models: [gpt-8]}"),
                        "routes[0].filter.allowed_models[1]: unknown model 'gpt-9': the catalog has no such model",
                        "routes[0].filter.denied_models[0]: unknown model 'gpt-8': the catalog has no such model"),
                bad(
                        "model the catalog lacks as select.start",
                        routed("select: {start: gpt-9}"),
                        "routes[0].select.start: unknown model 'gpt-9': the catalog has no such model"),
                bad(
                        "model the catalog lacks in the failover list",
                        routed("select: {start: mid, failover: [big, gpt-9]}"),
                        "routes[0].select.failover[1]: unknown model 'gpt-9': the catalog has no such model"),
                bad(
                        "model the catalog lacks in a risk class",
                        """
                        id: p
                        version: 1
                        risk_classes:
                          standard: {}
                          regulated: {allowed_models: [mid, gpt-9]}
                        routes:
                          - name: default
                        """,
                        "risk_classes.regulated.allowed_models[1]: unknown model 'gpt-9': the catalog has no such"
                                + " model"),
                bad(
                        "region the catalog lacks in a filter",
                        routed("filter: {regions: [eu-west-9]}"),
                        "routes[0].filter.regions[0]: unknown region 'eu-west-9' (catalog regions: eu, us)"),
                bad(
                        "region the catalog lacks in a risk class",
                        """
                        id: p
                        version: 1
                        risk_classes:
                          standard: {}
                          confidential: {regions: [eu, mars]}
                        routes:
                          - name: default
                        """,
                        "risk_classes.confidential.regions[1]: unknown region 'mars' (catalog regions: eu, us)"),
                bad(
                        "intent the classifier cannot produce",
                        """
                        id: p
                        version: 1
                        routes:
                          - name: poems
                            match: {intents: [writing, poetry], metadata: {app: x}}
                          - name: default
                        """,
                        "routes[0].match.intents[1]: unknown intent 'poetry' (the classifier knows: chat, code,"
                                + " extraction, knowledge, math, reasoning, support, writing)"),
                bad(
                        "risk class the policy does not define, in a match",
                        """
                        id: p
                        version: 1
                        routes:
                          - name: secret
                            match: {risk_classes: [standard, secret]}
                          - name: default
                        """,
                        "routes[0].match.risk_classes[1]: unknown risk class 'secret' (defined: standard)"),
                bad(
                        "default risk class the policy does not define",
                        """
                        id: p
                        version: 1
                        default_risk_class: gold
                        risk_classes:
                          standard: {}
                        routes:
                          - name: default
                        """,
                        "default_risk_class: risk class 'gold' is not defined under risk_classes (defined: standard)"),
                bad(
                        "capability that does not exist",
                        routed("filter: {capabilities: [tools, telepathy]}"),
                        "routes[0].filter.capabilities[1]: unknown capability 'telepathy' (known: tools, json_output,"
                                + " vision, streaming, logprobs)"),

                // --- wrong types ---
                bad(
                        "string where a number belongs",
                        """
                        id: p
                        version: 1
                        routes:
                          - name: first
                            match: {metadata: {app: x}}
                            filter: {max_input_price: 2.5}
                          - name: default
                            filter: {max_input_price: cheap}
                        """,
                        "routes[1].filter.max_input_price: expected a number, got \"cheap\""),
                bad(
                        "number where a list belongs",
                        routed("filter: {regions: 5}"),
                        "routes[0].filter.regions: expected a list, got 5"),
                bad(
                        "string where a list belongs",
                        routed("fallback: {on: server_error}"),
                        "routes[0].fallback.on: expected a list, got \"server_error\""),
                bad("list where a string belongs", """
                        id: [p]
                        version: 1
                        routes:
                          - name: default
                        """, "id: expected a string, got a list"),
                bad("string where a whole number belongs", """
                        id: p
                        version: one
                        routes:
                          - name: default
                        """, "version: expected a whole number, got \"one\""),
                bad(
                        "fraction where a whole number belongs",
                        routed("fallback: {max_attempts: 2.5}"),
                        "routes[0].fallback.max_attempts: expected a whole number, got 2.5"),
                bad(
                        "quoted string where a boolean belongs",
                        routed("cascade: {enabled: \"yes\"}"),
                        "routes[0].cascade.enabled: expected true or false, got \"yes\""),
                bad(
                        "list where a mapping belongs",
                        routed("filter: [regions]"),
                        "routes[0].filter: expected a mapping, got a list"),
                bad(
                        "mapping where a list of routes belongs",
                        """
                        id: p
                        version: 1
                        routes: {default: {}}
                        """,
                        "routes: expected a list, got a mapping",
                        "routes: list at least one route; the last must match every request"),
                bad(
                        "text that is not a duration",
                        routed("fallback: {max_retry_after: soon}"),
                        "routes[0].fallback.max_retry_after: expected a duration such as 500ms, 30s, 5m or 1h, got"
                                + " \"soon\""),
                bad("a document that is not a mapping", """
                        - id: p
                        - version: 1
                        """, "(top level): expected a mapping, got a list"),

                // --- impossible values ---
                bad(
                        "gate_threshold above 1",
                        routed("cascade: {gate_threshold: 1.5}"),
                        "routes[0].cascade.gate_threshold: must be between 0 and 1, got 1.5"),
                bad(
                        "negative quality_floor under defaults",
                        """
                        id: p
                        version: 1
                        defaults:
                          cascade: {quality_floor: -0.1}
                        routes:
                          - name: default
                        """,
                        "defaults.cascade.quality_floor: must be between 0 and 1, got -0.1"),
                bad(
                        "quality_gap above 1",
                        routed("cascade: {quality_gap: 2}"),
                        "routes[0].cascade.quality_gap: must be between 0 and 1, got 2"),
                bad(
                        "max_attempts 0",
                        routed("fallback: {max_attempts: 0}"),
                        "routes[0].fallback.max_attempts: must be between 1 and 20, got 0"),
                bad(
                        "max_escalations 9",
                        routed("cascade: {max_escalations: 9}"),
                        "routes[0].cascade.max_escalations: must be between 0 and 8, got 9"),
                bad(
                        "min_tier above max_tier",
                        routed("filter: {min_tier: 3, max_tier: 2}"),
                        "routes[0].filter.min_tier: cannot exceed max_tier (2)"),
                bad(
                        "tier above 9",
                        routed("filter: {max_tier: 10}"),
                        "routes[0].filter.max_tier: must be between 1 and 9, got 10"),
                bad(
                        "price ceiling of 0",
                        routed("filter: {max_output_price: 0}"),
                        "routes[0].filter.max_output_price: a ceiling of 0 admits no paid model: remove it or raise"
                                + " it"),
                bad(
                        "negative price ceiling",
                        routed("filter: {max_request_cost: -1}"),
                        "routes[0].filter.max_request_cost: must be between 0 and 1000000, got -1"),
                bad(
                        "Retry-After wait over a minute",
                        routed("fallback: {max_retry_after: 2m}"),
                        "routes[0].fallback.max_retry_after: at most 1m: a caller is waiting"),
                bad(
                        "cooldown after 0 failures",
                        routed("fallback: {cooldown: {after_failures: 0, for: 30s}}"),
                        "routes[0].fallback.cooldown.after_failures: must be between 1 and 1000, got 0"),
                bad(
                        "default_max_tokens 0",
                        routed("mutate: {default_max_tokens: 0}"),
                        "routes[0].mutate.default_max_tokens: must be between 1 and 10000000, got 0"),
                bad(
                        "expected_output_tokens 0",
                        routed("rank: {by: fastest, expected_output_tokens: 0}"),
                        "routes[0].rank.expected_output_tokens: must be between 1 and 1000000, got 0"),
                bad("version 0", """
                        id: p
                        version: 0
                        routes:
                          - name: default
                        """, "version: must be between 1 and 2147483647, got 0"),
                bad("id with a space", """
                        id: my policy
                        version: 1
                        routes:
                          - name: default
                        """, "id: use letters, digits, '.', '_' and '-' only, got \"my policy\""),

                // --- route structure ---
                bad("duplicate route names", """
                        id: p
                        version: 1
                        routes:
                          - name: a
                            match: {metadata: {app: x}}
                          - name: a
                        """, "routes[1].name: route name 'a' is used twice"),
                bad(
                        "last route is not a catch-all",
                        """
                        id: p
                        version: 1
                        routes:
                          - name: code
                            match: {intents: [code]}
                        """,
                        "routes[0].match: the last route must match every request: remove its match so no request is"
                                + " left without a route"),
                bad("empty match", """
                        id: p
                        version: 1
                        routes:
                          - name: all
                            match: {}
                          - name: default
                        """, "routes[0].match: an empty match matches everything: remove it instead"),
                bad("no routes", """
                        id: p
                        version: 1
                        routes: []
                        """, "routes: list at least one route; the last must match every request"),

                // --- missing required fields ---
                bad(
                        "empty document",
                        "",
                        "id: required",
                        "version: required",
                        "routes: list at least one route; the last must match every request"),
                bad("route without a name", """
                        id: p
                        version: 1
                        routes:
                          - match: {metadata: {app: x}}
                          - name: default
                        """, "routes[0].name: required"),

                // --- several errors at once, in document order ---
                bad(
                        "several errors at once are all listed",
                        """
                        id: p
                        version: 1
                        colour: red
                        risk_classes:
                          standard: {regions: [mars]}
                        routes:
                          - name: first
                            match: {metadata: {app: x}}
                            filter: {max_input_price: cheap, allowed_models: [gpt-9]}
                            cascade: {gate_threshold: 1.5, streaming: chunked}
                          - name: first
                            fallback: {on: [bad_request], max_attempts: 0}
                        """,
                        "colour: unknown field (known: budgets, default_risk_class, defaults, description, id, risk_classes,"
                                + " routes, version)",
                        "risk_classes.standard.regions[0]: unknown region 'mars' (catalog regions: eu, us)",
                        "routes[0].filter.max_input_price: expected a number, got \"cheap\"",
                        "routes[0].filter.allowed_models[0]: unknown model 'gpt-9': the catalog has no such model",
                        "routes[0].cascade.gate_threshold: must be between 0 and 1, got 1.5",
                        "routes[0].cascade.streaming: unknown streaming mode 'chunked' (known: buffer, skip)",
                        "routes[1].name: route name 'first' is used twice",
                        "routes[1].fallback.on[0]: bad_request always returns to the caller: another model cannot"
                                + " fix it",
                        "routes[1].fallback.max_attempts: must be between 1 and 20, got 0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPolicies")
    void badPolicyIsRefusedWithEveryErrorAtItsPath(String name, String yaml, List<String> expected) {
        assertEquals(expected, errorsOf(yaml));
    }
}
