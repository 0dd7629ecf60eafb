package dev.llmrouter.classify;

import java.util.Comparator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * What a classifier estimates about one request.
 *
 * @param intents probability of each intent label; sums to 1
 * @param successByTier probability that a model of each tier answers well
 * @param ease for an item-response classifier, the request's ease: the log-odds that a model of ability 0
 *     answers it well (empty for other classifiers)
 * @param abilities for an item-response classifier, the ability of each model it has data for, by name; for a
 *     model with a per-prompt term of its own, ability plus that term for this request
 * @param easy for an item-response classifier trained with easy requests, the probability that the request
 *     is one every model serves well (a model's success is then {@code easy + (1 - easy) * sigmoid(ease +
 *     ability)}); 0 otherwise
 * @param familiarity for a learned classifier, how familiar the request is from 0 to 1: the share of its word
 *     and character features that the difficulty model learned a weight for (empty for the heuristic).
 *     Requests unlike the training data score low, and the predicted success is least reliable there.
 */
public record Classification(
        Map<String, Double> intents,
        Map<Integer, Double> successByTier,
        OptionalDouble ease,
        Map<String, Double> abilities,
        double easy,
        OptionalDouble familiarity) {
    public Classification {
        if (intents.isEmpty() || successByTier.isEmpty()) {
            throw new IllegalArgumentException("a classification needs at least one intent and one tier");
        }
        if (!(easy >= 0 && easy <= 1)) {
            throw new IllegalArgumentException("the probability of an easy request must be in [0, 1], got " + easy);
        }
        intents = Map.copyOf(intents);
        successByTier = Map.copyOf(successByTier);
        abilities = Map.copyOf(abilities);
    }

    /** A classification by tier only. */
    public Classification(Map<String, Double> intents, Map<Integer, Double> successByTier) {
        this(intents, successByTier, OptionalDouble.empty(), Map.of(), 0, OptionalDouble.empty());
    }

    /**
     * An item-response classification without easy requests (a bundle trained without easy data, or a test's
     * fixed one).
     */
    public Classification(
            Map<String, Double> intents,
            Map<Integer, Double> successByTier,
            OptionalDouble ease,
            Map<String, Double> abilities,
            OptionalDouble familiarity) {
        this(intents, successByTier, ease, abilities, 0, familiarity);
    }

    /**
     * The predicted success of a model whose log-odds are {@code logOdds} (ease plus ability plus its own
     * terms) on a request that is easy with probability {@code easy}.
     */
    public static double success(double easy, double logOdds) {
        return easy + (1 - easy) / (1 + Math.exp(-logOdds));
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

    /**
     * Predicted success for one model: from its own ability when the classifier knows a model by one of
     * {@code names} (the catalog id, then the provider's id), else from its tier's.
     */
    public double successOf(int tier, String... names) {
        if (ease.isPresent()) {
            for (String name : names) {
                Double ability = abilities.get(name);
                if (ability != null) {
                    return success(easy, ease.getAsDouble() + ability);
                }
            }
        }
        return successAt(tier);
    }
}
