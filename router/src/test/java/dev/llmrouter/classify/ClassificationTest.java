package dev.llmrouter.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClassificationTest {
    private static final Map<String, Double> CHAT = Map.of("chat", 1.0);

    @ParameterizedTest(name = "tier {0} -> {1}")
    @CsvSource({
        "1, 0.5", // known
        "2, 0.5", // missing: the nearest tier below, never assumed better than measured
        "3, 0.9", // known
        "4, 0.9", // above every known tier: the highest known
        "7, 0.9",
    })
    void missingTierTakesTheNearestTierBelow(int tier, double expected) {
        Classification c = new Classification(CHAT, Map.of(1, 0.5, 3, 0.9));

        assertEquals(expected, c.successAt(tier));
    }

    @Test
    void tierBelowEveryKnownTierTakesTheLowestKnown() {
        Classification c = new Classification(CHAT, Map.of(2, 0.6, 3, 0.8));

        assertEquals(0.6, c.successAt(1));
        assertEquals(0.6, c.successAt(0));
    }

    @Test
    void topIntentIsTheMostLikelyWithTiesToTheFirstInAlphabeticalOrder() {
        assertEquals(
                "math", new Classification(Map.of("code", 0.2, "math", 0.7, "chat", 0.1), Map.of(1, 0.5)).topIntent());
        assertEquals(
                "code", new Classification(Map.of("math", 0.4, "code", 0.4, "chat", 0.2), Map.of(1, 0.5)).topIntent());
    }

    @Test
    void anEasyRequestIsServedWellByEveryModelWhateverItsAbility() {
        // ease 0; weak's ability -2 (sigmoid 0.119), strong's +2 (0.881); easy with probability 0.6
        Classification c = new Classification(
                CHAT,
                Map.of(1, 0.5),
                java.util.OptionalDouble.of(0),
                Map.of("weak", -2.0, "strong", 2.0),
                0.6,
                java.util.OptionalDouble.empty());

        assertEquals(0.6 + 0.4 * 0.11920292202211755, c.successOf(1, "weak"), 1e-12);
        assertEquals(0.6 + 0.4 * 0.8807970779778823, c.successOf(3, "strong"), 1e-12);
        assertEquals(0.5, c.successOf(1, "unknown")); // the tier's, which the classifier already mixed
        assertThrows(
                IllegalArgumentException.class,
                () -> new Classification(
                        CHAT,
                        Map.of(1, 0.5),
                        java.util.OptionalDouble.of(0),
                        Map.of(),
                        1.5,
                        java.util.OptionalDouble.empty()));
    }

    @Test
    void emptyIntentsOrTiersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Classification(Map.of(), Map.of(1, 0.5)));
        assertThrows(IllegalArgumentException.class, () -> new Classification(CHAT, Map.of()));
    }
}
