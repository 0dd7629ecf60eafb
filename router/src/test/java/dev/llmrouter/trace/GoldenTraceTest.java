package dev.llmrouter.trace;

import static dev.llmrouter.provider.ScriptedProvider.failure;
import static dev.llmrouter.provider.ScriptedProvider.rateLimited;
import static dev.llmrouter.provider.ScriptedProvider.truncated;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.llmrouter.classify.Classification;
import dev.llmrouter.engine.FakeClock;
import dev.llmrouter.engine.Scenario;
import dev.llmrouter.provider.ErrorKind;
import dev.llmrouter.provider.ScriptedProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decision record, byte for byte: traces of fixed scenarios (fake clock, fixed trace ids, a fixed
 * classifier, scripted upstream) are compared with the reviewed files in {@code src/test/resources/golden}.
 * Run with {@code -Dgolden.update=true} to rewrite them after an intended change, then review the diff.
 */
class GoldenTraceTest {
    private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");

    /** A named scenario and how to run it: route or explain. */
    record Golden(String name, Scenario scenario, boolean explain) {
        DecisionTrace trace() {
            FakeClock clock = new FakeClock();
            ScriptedProvider provider = scenario.provider(clock);
            var router = scenario.router(provider, clock);
            return explain
                    ? router.explain(scenario.request())
                    : router.route(scenario.request()).trace();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Golden> goldens() {
        return List.of(
                new Golden(
                        "fallback_then_escalation",
                        Scenario.scenario("500 on small-a, truncated on small-b, mid accepted")
                                .maxTokens(3_000)
                                .param("temperature", "0.2")
                                .metadata("team", "search")
                                .script("small-a", failure(ErrorKind.SERVER_ERROR, 500))
                                .script("small-b", truncated("The answer is"))
                                .serves("mid", "small-a, small-b, mid", "start, fallback, escalation"),
                        false),
                new Golden(
                        "rate_limited_retry",
                        Scenario.scenario("429 with Retry-After 1s, then the same model answers")
                                .script("small-a", rateLimited(Duration.ofSeconds(1)))
                                .serves("small-a", "small-a, small-a", "start, retry"),
                        false),
                new Golden(
                        "no_eligible_model",
                        Scenario.scenario("capped route, 50k-token prompt")
                                .app("capped")
                                .prompt("x".repeat(199_972)),
                        false),
                new Golden(
                        "explain_unfamiliar",
                        Scenario.scenario("explain an easy request unlike the training data")
                                .policy("unfamiliar-policy.yaml")
                                .classified(new Classification(
                                        Scenario.EASY.intents(),
                                        Scenario.EASY.successByTier(),
                                        OptionalDouble.empty(),
                                        Map.of(),
                                        OptionalDouble.of(0.31))),
                        true),
                new Golden(
                        "explain_pinned",
                        Scenario.scenario("explain on the pinned route")
                                .app("pinned")
                                .withTools(),
                        true));
    }

    static Stream<Arguments> goldenCases() {
        return goldens().stream().map(g -> Arguments.of(g));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenCases")
    void traceMatchesItsGoldenFile(Golden golden) throws IOException {
        String actual = TraceJson.toPrettyJson(golden.trace()).replace("\r\n", "\n") + "\n";
        Path file = GOLDEN.resolve(golden.name() + ".json");

        if (Boolean.getBoolean("golden.update") || !Files.exists(file)) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, actual);
            fail("wrote golden trace " + file.toAbsolutePath() + ": review it by eye, commit it, and run the tests"
                    + " again without -Dgolden.update");
        }
        String expected = Files.readString(file).replace("\r\n", "\n");
        assertEquals(
                expected,
                actual,
                "the trace differs from " + file + "; if the change is intended, regenerate with"
                        + " -Dgolden.update=true and review the diff");
    }

    @Test
    void goldenTracesAreDeterministic() {
        for (Golden g : goldens()) {
            assertEquals(TraceJson.toJson(g.trace()), TraceJson.toJson(g.trace()), g.name());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenCases")
    void jsonSurvivesARoundTripThroughTheRecord(Golden golden) {
        String json = TraceJson.toJson(golden.trace());

        assertEquals(json, TraceJson.toJson(TraceJson.fromJson(json)));
        assertEquals(json, TraceJson.toJson(TraceJson.fromJson(TraceJson.toPrettyJson(golden.trace()))));
    }

    static Stream<Arguments> tracesWithPassedCandidates() {
        return goldens().stream()
                .filter(g -> !g.name().equals("no_eligible_model"))
                .map(g -> Arguments.of(g));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tracesWithPassedCandidates")
    void traceSurvivesAJsonRoundTrip(Golden golden) {
        DecisionTrace trace = golden.trace();

        assertEquals(trace, TraceJson.fromJson(TraceJson.toJson(trace)));
        assertEquals(trace, TraceJson.fromJson(TraceJson.toPrettyJson(trace)));
    }

    @Test
    void traceWithAContextWindowRejectionSurvivesAJsonRoundTrip() {
        // every model is rejected here, so no passed candidate (see the bug above) is involved
        DecisionTrace trace = goldens().stream()
                .filter(g -> g.name().equals("no_eligible_model"))
                .findFirst()
                .orElseThrow()
                .trace();

        assertEquals(trace, TraceJson.fromJson(TraceJson.toJson(trace)));
    }

    @Test
    void jsonUsesSnakeCaseLowerCaseEnumsAndLeavesAbsentValuesOut() {
        String json = TraceJson.toJson(goldens().getLast().trace());

        assertTrue(json.contains("\"trace_id\":\"trace-1\""), json);
        assertTrue(json.contains("\"outcome\":\"explained\""), json);
        assertTrue(json.contains("\"catalog_hash\":"), json);
        assertTrue(!json.contains("served_by") && !json.contains("\"error\""), json);
        assertTrue(!json.contains("null"), json);
    }

    @Test
    void traceIsOneLineInLogForm() {
        Function<Golden, String> line = g -> TraceJson.toJson(g.trace());

        goldens().forEach(g -> assertTrue(!line.apply(g).contains("\n"), g.name()));
    }

    @Test
    void notATraceIsRefusedNamingTheProblem() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> TraceJson.fromJson("{\"schema\": 1, \"colour\": 2}"));

        assertTrue(e.getMessage().startsWith("not a decision trace: "), e.getMessage());
    }
}
