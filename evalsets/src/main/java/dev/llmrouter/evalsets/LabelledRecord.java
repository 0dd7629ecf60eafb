package dev.llmrouter.evalsets;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * One labelled request: a prompt and what real models scored on it. The documented format is
 * {@code evalsets/README.md}.
 *
 * @param id unique within its file
 * @param source where it comes from, e.g. {@code routellm/mmlu}
 * @param category the source's own task or subject label
 * @param split {@code train}, {@code test} or {@code val} where the source defines one
 * @param prompt the user message being routed
 * @param turns earlier user turns of a multi-turn conversation, oldest first
 * @param outcomes by model name; empty for an intent-only record
 * @param intent the source's intent label, for intent-only sets (CLINC150, Banking77, Arena)
 * @param file the file it was read from, for reports
 * @param line its line in that file; ids may repeat (the same question asked twice), file and line do not
 */
public record LabelledRecord(
        String id,
        String source,
        String category,
        Optional<String> split,
        String prompt,
        List<String> turns,
        Map<String, Outcome> outcomes,
        Optional<String> intent,
        String file,
        int line) {

    public LabelledRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(prompt, "prompt");
        turns = List.copyOf(turns);
        outcomes = Map.copyOf(outcomes);
        Objects.requireNonNull(intent, "intent");
        Objects.requireNonNull(file, "file");
    }

    /** Where the record was read: unique across the files of a run. */
    public String location() {
        return file + ":" + line;
    }

    /**
     * What one model did on the record.
     *
     * @param score in [0, 1]: 1/0 correctness, or a judge's score / 10
     * @param costUsd the real cost of the call where the source measured it
     * @param inputTokens prompt tokens where known
     * @param outputTokens answer tokens where known
     * @param outputChars answer length where known
     * @param response the answer text where known
     * @param weight how much this outcome counts in training (1 for a labelled set; for a logged one, the
     *     weight {@code retrain} gives the team's own traffic)
     */
    public record Outcome(
            double score,
            OptionalDouble costUsd,
            OptionalInt inputTokens,
            OptionalInt outputTokens,
            OptionalInt outputChars,
            Optional<String> response,
            double weight) {
        public Outcome {
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("an outcome's weight must be positive and finite, got " + weight);
            }
        }

        /** An outcome of weight 1. */
        public Outcome(
                double score,
                OptionalDouble costUsd,
                OptionalInt inputTokens,
                OptionalInt outputTokens,
                OptionalInt outputChars,
                Optional<String> response) {
            this(score, costUsd, inputTokens, outputTokens, outputChars, response, 1);
        }

        /** This outcome with its weight multiplied by {@code factor}. */
        public Outcome weighted(double factor) {
            return new Outcome(score, costUsd, inputTokens, outputTokens, outputChars, response, weight * factor);
        }
    }

    /** This record with every outcome's weight multiplied by {@code factor}. */
    public LabelledRecord weighted(double factor) {
        Map<String, Outcome> scaled = new java.util.LinkedHashMap<>();
        outcomes.forEach((model, o) -> scaled.put(model, o.weighted(factor)));
        return new LabelledRecord(id, source, category, split, prompt, turns, scaled, intent, file, line);
    }
}
