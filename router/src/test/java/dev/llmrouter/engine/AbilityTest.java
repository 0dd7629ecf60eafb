package dev.llmrouter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.classify.Classification;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which ability a catalog model's predicted success comes from: a declared data name, its ids, or its tier. */
class AbilityTest {
    static ModelSpec model(String id, String upstream, List<String> dataNames) {
        return new ModelSpec(id, "p", upstream, 3, 1, 1, 100_000, 1_000, Set.of(), "us", Set.of(), 800, 60, dataNames);
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void aDeclaredDataNameComesFirstThenTheIdsThenTheTier() {
        Classification c = new Classification(
                Map.of("chat", 1.0),
                Map.of(3, 0.5),
                OptionalDouble.of(-1.0),
                Map.of("gpt-4o-2024-05-13", 2.0, "gpt-4o", 0.5, "vendor/gpt-4o", 1.0),
                OptionalDouble.empty());
        assertEquals(sigmoid(1.0), Planner.success(c, model("gpt-4o", "vendor/gpt-4o", List.of("gpt-4o-2024-05-13"))));
        assertEquals(sigmoid(-0.5), Planner.success(c, model("gpt-4o", "vendor/gpt-4o", List.of("unknown"))));
        assertEquals(sigmoid(0.0), Planner.success(c, model("other", "vendor/gpt-4o", List.of())));
        assertEquals(0.5, Planner.success(c, model("new-model", "new-model", List.of())));
        // a classifier by tier only (no ease) ignores every name
        Classification byTier = new Classification(Map.of("chat", 1.0), Map.of(3, 0.8));
        assertEquals(0.8, Planner.success(byTier, model("gpt-4o", "gpt-4o", List.of("gpt-4o-2024-05-13"))));
    }
}
