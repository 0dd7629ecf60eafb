package dev.llmrouter.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.llmrouter.classify.Classification;
import dev.llmrouter.provider.Completion;
import dev.llmrouter.provider.Usage;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Message;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The rule-based gate: each check that finds a certainly bad answer, and logprobs as confidence. */
class HeuristicAnswerGateTest {
    private final HeuristicAnswerGate gate = new HeuristicAnswerGate();
    private static final Classification ANY = new Classification(Map.of("chat", 1.0), Map.of(1, 0.5));
    private static final ChatRequest PLAIN = ChatRequest.ofPrompt("question");
    private static final ChatRequest JSON = new ChatRequest(
            List.of(Message.of("user", "give me json")),
            OptionalInt.empty(),
            false,
            Map.of("response_format", JsonNodeFactory.instance.objectNode().put("type", "json_object")),
            Map.of(),
            "");

    private static Completion answer(String text) {
        return completion(text, "stop", List.of(), List.of());
    }

    private static Completion completion(String text, String finish, List<JsonNode> toolCalls, List<Double> logprobs) {
        return new Completion(
                text, finish, toolCalls, new Usage(10, 10, false), Completion.logprobEntries(logprobs), "m");
    }

    @Test
    void plainAnswerPassingEveryCheckScoresTheUncheckedScore() {
        assertEquals(new GateScore(0.75, List.of("no_check_failed")), gate.score(PLAIN, ANY, answer("Paris.")));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "   ", "\n\t"})
    void emptyAnswerScoresZero(String text) {
        assertEquals(new GateScore(0.0, List.of("empty")), gate.score(PLAIN, ANY, answer(text)));
    }

    @Test
    void answerWithOnlyToolCallsIsNotEmpty() {
        JsonNode call = JsonNodeFactory.instance.objectNode().put("id", "call_1");

        GateScore score = gate.score(PLAIN, ANY, completion("", "tool_calls", List.of(call), List.of()));

        assertEquals(new GateScore(0.75, List.of("no_check_failed")), score);
    }

    @Test
    void truncatedAnswerScoresLow() {
        assertEquals(
                new GateScore(0.2, List.of("truncated")),
                gate.score(PLAIN, ANY, completion("The", "length", List.of(), List.of())));
    }

    @Test
    void contentFilteredAnswerScoresLower() {
        assertEquals(
                new GateScore(0.1, List.of("content_filter")),
                gate.score(PLAIN, ANY, completion("[removed]", "content_filter", List.of(), List.of())));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(
            strings = {
                "As an AI language model, I cannot browse the internet.",
                "as an AI, I do not have opinions.",
            })
    void asAnAiRefusalIsDetected(String text) {
        assertEquals(new GateScore(0.15, List.of("refusal")), gate.score(PLAIN, ANY, answer(text)));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(
            strings = {
                "I'm sorry, but I can't help with that.",
                "I cannot help with that request.",
                "Sorry, I am unable to assist with this.",
                "I won't be able to provide that information.",
            })
    void commonRefusalsAreDetected(String text) {
        assertEquals(new GateScore(0.15, List.of("refusal")), gate.score(PLAIN, ANY, answer(text)));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(
            strings = {
                "I can help with that: the answer is 42.",
                "Sorry for the wait! Here is the summary.",
                "The AI winter ended in the 1990s.",
            })
    void answersThatMerelyMentionSorryOrAiAreNotRefusals(String text) {
        assertEquals(new GateScore(0.75, List.of("no_check_failed")), gate.score(PLAIN, ANY, answer(text)));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(
            strings = {"{\"a\": 1}", "[1, 2]", "```json\n{\"a\": 1}\n```", "```\n{\"a\": 1}\n```", "  {\"a\": 1}  "})
    void validJsonPassesWhenJsonWasAsked(String text) {
        assertEquals(new GateScore(0.75, List.of("no_check_failed")), gate.score(JSON, ANY, answer(text)));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"Sure! {\"a\": 1}", "{\"a\": 1", "{a: 1}", "```json\n{\"a\":\n```"})
    void invalidJsonScoresZeroWhenJsonWasAsked(String text) {
        assertEquals(new GateScore(0.0, List.of("invalid_json")), gate.score(JSON, ANY, answer(text)));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"{\"a\": 1} Hope this helps!", "{\"a\": 1} {\"b\": 2}"})
    void jsonFollowedByMoreTextIsInvalid(String text) {
        assertEquals(new GateScore(0.0, List.of("invalid_json")), gate.score(JSON, ANY, answer(text)));
    }

    @Test
    void nonJsonAnswerIsFineWhenJsonWasNotAsked() {
        assertEquals(
                new GateScore(0.75, List.of("no_check_failed")), gate.score(PLAIN, ANY, answer("Sure! {\"a\": 1")));
    }

    @Test
    void toolCallsExemptAJsonRequestFromTheJsonCheck() {
        JsonNode call = JsonNodeFactory.instance.objectNode().put("id", "call_1");

        GateScore score = gate.score(JSON, ANY, completion("calling a tool", "tool_calls", List.of(call), List.of()));

        assertEquals(new GateScore(0.75, List.of("no_check_failed")), score);
    }

    @Test
    void logprobsGiveTheGeometricMeanTokenProbability() {
        GateScore score = gate.score(PLAIN, ANY, completion("Paris.", "stop", List.of(), List.of(-0.1, -0.3)));

        assertEquals(Math.exp(-0.2), score.score(), 1e-12);
        assertEquals(List.of("logprobs"), score.reasons());
    }

    @Test
    void logprobsCannotRaiseAFailedCheck() {
        GateScore score = gate.score(PLAIN, ANY, completion("The", "length", List.of(), List.of(-0.01, -0.01)));

        assertEquals(0.2, score.score(), 1e-12);
        assertEquals(List.of("truncated", "logprobs"), score.reasons());
    }

    @Test
    void severalFailedChecksAreAllNamedAndTheLowestScoreWins() {
        GateScore score = gate.score(JSON, ANY, completion("{\"a\":", "length", List.of(), List.of()));

        assertEquals(new GateScore(0.0, List.of("truncated", "invalid_json")), score);
    }

    @Test
    void identifiesItself() {
        assertEquals("heuristic-gate-v1", gate.info().id());
        assertTrue(gate.info().hash().matches("[0-9a-f]{64}"));
    }

    @Test
    void scoreOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GateScore(1.5, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new GateScore(-0.1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new GateScore(Double.NaN, List.of()));
    }
}
