package dev.llmrouter.classify.onnx;

import dev.llmrouter.features.ModelCard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The own terms of an item-response model, read once from its card's labels (see {@link ModelCard.Irt}):
 * each term's output class, the model it belongs to, and the class of its set's familiarity (or none).
 */
public final class OwnTerms {
    private final String[] models;
    private final int[] terms;
    private final int[] familiar;

    private OwnTerms(String[] models, int[] terms, int[] familiar) {
        this.models = models;
        this.terms = terms;
        this.familiar = familiar;
    }

    /**
     * The terms of {@code classes}, a card's labels; every label after the first two must be an own term, a
     * familiarity or the easy-request class, else an {@link IllegalArgumentException} names it.
     */
    public static OwnTerms of(List<String> classes) {
        List<String> models = new ArrayList<>();
        List<int[]> at = new ArrayList<>();
        for (int k = 2; k < classes.size(); k++) {
            String label = classes.get(k);
            int colon = label.indexOf(':', ModelCard.OWN_PREFIX.length());
            if (label.startsWith(ModelCard.OWN_PREFIX) && colon > 0) {
                String set = label.substring(ModelCard.OWN_PREFIX.length(), colon);
                models.add(label.substring(colon + 1));
                at.add(new int[] {k, classes.indexOf(ModelCard.FAMILIAR_PREFIX + set)});
            } else if (!label.startsWith(ModelCard.FAMILIAR_PREFIX) && !label.equals(ModelCard.EASY)) {
                throw new IllegalArgumentException("output class '" + label + "' is neither an own term ("
                        + ModelCard.OWN_PREFIX + "<set>:<model>), a familiarity (" + ModelCard.FAMILIAR_PREFIX
                        + "<set>) nor the easy-request class (" + ModelCard.EASY + ")");
            }
        }
        return new OwnTerms(
                models.toArray(String[]::new),
                at.stream().mapToInt(a -> a[0]).toArray(),
                at.stream().mapToInt(a -> a[1]).toArray());
    }

    public boolean isEmpty() {
        return models.length == 0;
    }

    /**
     * {@code abilities} with each model's own terms for the output {@code q} of one prompt added: each term's
     * log-odds against class {@code fail}, weighed by the probability that the prompt is like its set's.
     */
    public Map<String, Double> addTo(Map<String, Double> abilities, float[] q, int fail) {
        Map<String, Double> out = new HashMap<>(abilities);
        double logFail = Math.log(q[fail]);
        for (int i = 0; i < models.length; i++) {
            double weight = familiar[i] < 0 ? 1 : 1 / (1 + Math.exp(logFail - Math.log(q[familiar[i]])));
            out.merge(models[i], weight * (Math.log(q[terms[i]]) - logFail), Double::sum);
        }
        return out;
    }
}
