package dev.llmrouter.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Message;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written baseline classifier: keyword intents and a surface-feature difficulty. */
class HeuristicClassifierTest {
    private static final String HARD_PROMPT = "Prove rigorously that the algorithm's complexity is optimal, handling"
            + " all edge cases of concurrent updates. Derive the bound step by step, then compare with 3^n + 2 = k"
            + " and give a formal theorem? Why? How?";
    private final HeuristicClassifier classifier = new HeuristicClassifier();

    private Classification classify(String prompt) {
        return classifier.classify(ChatRequest.ofPrompt(prompt));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "Write a python function that reverses a linked list | code",
                "Solve the equation 3x + 5 = 20 for x | math",
                "Hello, how are you today? | chat",
                "hi | chat",
                "I was charged twice on my card and want a refund | support",
                "Write a short poem about the sea | writing",
                "What is the capital of France? | knowledge",
                "Extract the key points from this text and return them as JSON | extraction",
                "Explain why the sky is blue, step by step | reasoning",
            })
    void clearPromptGetsItsIntent(String prompt, String intent) {
        assertEquals(intent, classify(prompt).topIntent());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(
            strings = {
                "hi",
                "Write a python function that reverses a linked list",
                "Solve 2 + 2 = ?",
                "",
                HARD_PROMPT,
            })
    void intentProbabilitiesCoverEveryLabelAndSumToOne(String prompt) {
        Classification c = classify(prompt);

        assertEquals(Set.copyOf(Intents.DEFAULT), c.intents().keySet());
        assertEquals(
                1.0,
                c.intents().values().stream().mapToDouble(Double::doubleValue).sum(),
                1e-9);
        c.intents().values().forEach(p -> assertTrue(p > 0 && p < 1, "probability " + p));
    }

    @ParameterizedTest(name = "{0} is easier than {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "hi | Prove that there are infinitely many primes.",
                "What is the capital of France? | What is the capital of France? Explain the history of its choice,"
                        + " compare it with Berlin and Rome, and discuss the economics of capitals in the EU.",
                "Write a function | Write a function ```def f(x): return x``` and optimise its complexity",
                "Add the numbers | Compute 12 * 7 = ?",
            })
    void harderPromptGetsLowerTierOneSuccess(String easier, String harder) {
        double easy = classify(easier).successAt(1);
        double hard = classify(harder).successAt(1);

        assertTrue(hard < easy, "tier-1 success " + hard + " for the harder prompt, " + easy + " for the easier");
    }

    @Test
    void hardestPromptFallsBelowTheUsualQualityFloorOnTierOne() {
        Classification c = classify(HARD_PROMPT);

        assertTrue(c.successAt(1) < 0.5, "tier 1: " + c.successAt(1));
        assertTrue(
                classify("hi").successAt(1) > 0.8,
                "tier 1 for hi: " + classify("hi").successAt(1));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hi", "Write a python function that reverses a linked list", HARD_PROMPT})
    void strongerTiersArePredictedAtLeastAsGood(String prompt) {
        Map<Integer, Double> byTier = classify(prompt).successByTier();

        assertEquals(Set.of(1, 2, 3), byTier.keySet());
        assertTrue(byTier.get(1) <= byTier.get(2) && byTier.get(2) <= byTier.get(3), byTier.toString());
        byTier.values().forEach(p -> assertTrue(p > 0 && p < 1, "probability " + p));
    }

    @Test
    void longerConversationsAreHarder() {
        ChatRequest oneTurn = ChatRequest.ofPrompt("And the next step?");
        ChatRequest manyTurns = new ChatRequest(
                List.of(
                        Message.of("user", "first question"),
                        Message.of("assistant", "first answer"),
                        Message.of("user", "second question"),
                        Message.of("assistant", "second answer"),
                        Message.of("user", "And the next step?")),
                OptionalInt.empty(),
                false,
                Map.of(),
                Map.of(),
                "");

        assertTrue(classifier.classify(manyTurns).successAt(1)
                < classifier.classify(oneTurn).successAt(1));
    }

    @Test
    void intentComesFromTheLastUserMessage() {
        ChatRequest request = new ChatRequest(
                List.of(
                        Message.of("system", "You write python code."),
                        Message.of("user", "What is the capital of France?"),
                        Message.of("assistant", "Paris.")),
                OptionalInt.empty(),
                false,
                Map.of(),
                Map.of(),
                "");

        assertEquals("knowledge", classifier.classify(request).topIntent());
    }

    @Test
    void sameRequestClassifiesTheSameEveryTime() {
        assertEquals(classify(HARD_PROMPT), classify(HARD_PROMPT));
        assertEquals(classify(HARD_PROMPT), new HeuristicClassifier().classify(ChatRequest.ofPrompt(HARD_PROMPT)));
    }

    @Test
    void identifiesItselfAndItsLabels() {
        assertEquals("heuristic-v1", classifier.info().id());
        assertTrue(
                classifier.info().hash().matches("[0-9a-f]{64}"),
                classifier.info().hash());
        assertEquals(classifier.info(), new HeuristicClassifier().info());
        assertEquals(Set.copyOf(Intents.DEFAULT), classifier.intents());
    }
}
