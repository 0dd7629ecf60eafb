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
    void emptyIntentsOrTiersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Classification(Map.of(), Map.of(1, 0.5)));
        assertThrows(IllegalArgumentException.class, () -> new Classification(CHAT, Map.of()));
    }
}
