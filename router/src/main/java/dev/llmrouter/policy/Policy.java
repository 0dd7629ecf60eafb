package dev.llmrouter.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Versioned routing rules, admitted by {@link PolicyLoader} before use.
 *
 * @param id the policy's name
 * @param version a number the team raises with every change
 * @param defaultRiskClass the risk class of a request that declares none
 * @param riskClasses what each risk class allows
 * @param routes tried in order; the first whose match holds decides; the last matches everything
 * @param budgets spend caps and premium quotas, each counted over its own window
 * @param hash sha256 of the canonical document, which identifies the rules exactly
 */
public record Policy(
        String id,
        int version,
        String defaultRiskClass,
        Map<String, RiskClass> riskClasses,
        List<Route> routes,
        List<Budget> budgets,
        String hash) {

    public Policy {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(defaultRiskClass, "defaultRiskClass");
        riskClasses = Map.copyOf(riskClasses);
        routes = List.copyOf(routes);
        budgets = List.copyOf(budgets);
        Objects.requireNonNull(hash, "hash");
    }

    public Optional<Route> route(String name) {
        return routes.stream().filter(r -> r.name().equals(name)).findFirst();
    }
}
