package dev.llmrouter.evalsets;

/**
 * A record reduced to the two tiers of a run: what the cheap and the strong model scored and cost on it.
 *
 * @param segment the record's category, for segmented metrics
 * @param promptChars the prompt's length, for the length baseline
 */
public record PairOutcome(
        String segment, int promptChars, double cheapScore, double strongScore, double cheapCost, double strongCost) {

    /** Whether calling the strong model helps: the label the difficulty score's ROC AUC is measured against. */
    public boolean strongBetter() {
        return strongScore > cheapScore;
    }
}
