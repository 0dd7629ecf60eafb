package dev.llmrouter.engine;

import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.classify.Intents;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.request.ChatRequest;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** A classifier that returns the same classification for every request, so tests control difficulty exactly. */
public record FixedClassifier(Classification classification) implements Classifier {

    /** Top intent {@code intent} and the given predicted success for tiers 1, 2 and 3. */
    public static FixedClassifier of(String intent, double tier1, double tier2, double tier3) {
        return new FixedClassifier(classification(intent, tier1, tier2, tier3));
    }

    public static Classification classification(String intent, double tier1, double tier2, double tier3) {
        Map<String, Double> intents = new TreeMap<>();
        for (String label : Intents.DEFAULT) {
            intents.put(label, label.equals(intent) ? 0.65 : 0.05);
        }
        return new Classification(intents, Map.of(1, tier1, 2, tier2, 3, tier3));
    }

    @Override
    public ClassifierInfo info() {
        return new ClassifierInfo(
                "fixed-test",
                Sha256.hex("fixed-test|" + new TreeMap<>(classification.intents()) + "|"
                        + new TreeMap<>(classification.successByTier())));
    }

    @Override
    public Set<String> intents() {
        return Set.copyOf(Intents.DEFAULT);
    }

    @Override
    public Classification classify(ChatRequest request) {
        return classification;
    }
}
