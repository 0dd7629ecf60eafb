package dev.llmrouter.classify;

import java.util.Comparator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What a classifier estimates about one request.
 *
 * @param intents probability of each intent label; sums to 1
 * @param successByTier probability that a model of each tier answers well
 */
public record Classification(Map<String, Double> intents, Map<Integer, Double> successByTier) {
    public Classification {
        if (intents.isEmpty() || successByTier.isEmpty()) {
            throw new IllegalArgumentException("a classification needs at least one intent and one tier");
        }
        intents = Map.copyOf(intents);
        successByTier = Map.copyOf(successByTier);
    }

    public String topIntent() {
        return intents.entrySet().stream()
                .max(Map.Entry.<String, Double>comparingByValue()
                        .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                .orElseThrow()
                .getKey();
    }

    /**
     * Predicted success for a tier. A tier the classifier has no estimate for takes the estimate of the
     * nearest tier below it (or the lowest tier it knows): stronger tiers are never assumed better than
     * measured.
     */
    public double successAt(int tier) {
        NavigableMap<Integer, Double> byTier = new TreeMap<>(successByTier);
        Map.Entry<Integer, Double> entry = byTier.floorEntry(tier);
        return (entry != null ? entry : byTier.firstEntry()).getValue();
    }
}
