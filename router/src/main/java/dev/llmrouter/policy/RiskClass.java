package dev.llmrouter.policy;

import java.util.Set;

/**
 * What requests of one risk class may use. An empty set allows everything of that kind.
 *
 * @param name e.g. {@code standard}, {@code confidential}, {@code regulated}
 * @param allowedModels the only models that may serve the class
 * @param regions the only regions that may serve the class
 */
public record RiskClass(String name, Set<String> allowedModels, Set<String> regions) {
    public RiskClass {
        allowedModels = Set.copyOf(allowedModels);
        regions = Set.copyOf(regions);
    }
}
