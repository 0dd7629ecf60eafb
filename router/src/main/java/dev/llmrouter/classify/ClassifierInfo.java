package dev.llmrouter.classify;

import java.util.Objects;

/**
 * Identifies a classifier or gate in traces and metrics.
 *
 * @param id a readable name with version, e.g. {@code heuristic-v1}
 * @param hash sha256 of the model file, or of the heuristic's parameters
 */
public record ClassifierInfo(String id, String hash) {
    public ClassifierInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(hash, "hash");
    }
}
