package dev.llmrouter.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.CatalogLoader;
import dev.llmrouter.config.ConfigNode;
import dev.llmrouter.config.Documents;
import dev.llmrouter.config.Problems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Admits a policy against a catalog and the classifier's intent labels. A policy with an unknown field or
 * operator, a model or region the catalog lacks, an intent the classifier cannot produce, a wrong type or
 * an impossible value is refused with every error, each naming its exact path.
 */
public final class PolicyLoader {
    private static final Set<String> TOP = Set.of(
            "id", "version", "description", "risk_classes", "default_risk_class", "defaults", "routes", "budgets");
    private static final Set<String> VERBS =
            Set.of("filter", "rank", "select", "mutate", "fallback", "cascade", "watch", "explore");
    private static final Set<String> ROUTE_FIELDS = union(VERBS, Set.of("name", "description", "match"));
    private static final Set<String> RISK_CLASS = Set.of("description", "allowed_models", "regions");

    private PolicyLoader() {}

    public static Policy load(Path file, Catalog catalog, Set<String> intents) {
        return admit(Documents.read(file), "policy " + file, catalog, intents);
    }

    public static Policy admit(JsonNode document, String name, Catalog catalog, Set<String> intents) {
        Problems problems = new Problems();
        ConfigNode root = ConfigNode.root(document, problems);
        if (!root.expectObject()) {
            problems.throwIfAny(name);
        }
        root.allowOnly(TOP);
        String id = root.requiredText("id").orElse("");
        if (!id.isEmpty() && !id.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            problems.add("id", "use letters, digits, '.', '_' and '-' only, got \"" + id + "\"");
        }
        int version = root.integer("version", 1, Integer.MAX_VALUE).orElse(0);
        root.required("version");
        References refs = new References(catalog, intents);
        Map<String, RiskClass> riskClasses = riskClasses(root, refs);
        String defaultRisk = root.text("default_risk_class").orElse("standard");
        if (!riskClasses.containsKey(defaultRisk)) {
            problems.add(
                    "default_risk_class",
                    "risk class '" + defaultRisk + "' is not defined under risk_classes" + " (defined: "
                            + String.join(", ", new TreeSet<>(riskClasses.keySet())) + ")");
        }
        VerbReader defaults = new VerbReader(refs, Optional.empty());
        root.field("defaults").filter(ConfigNode::expectObject).ifPresent(d -> {
            d.allowOnly(VERBS);
            defaults.readAll(d);
        });
        List<Route> routes = routes(root, refs, defaults, riskClasses.keySet());
        List<Budget> budgets = BudgetReader.read(root, refs, routes);
        problems.throwIfAny(name);
        return new Policy(id, version, defaultRisk, riskClasses, routes, budgets, Documents.canonicalHash(document));
    }

    private static Map<String, RiskClass> riskClasses(ConfigNode root, References refs) {
        Map<String, RiskClass> classes = new LinkedHashMap<>();
        Optional<ConfigNode> node = root.field("risk_classes");
        if (node.isEmpty()) {
            classes.put("standard", new RiskClass("standard", Set.of(), Set.of()));
            return classes;
        }
        if (!node.get().expectObject()) {
            return classes;
        }
        node.get().entries().forEach((className, spec) -> {
            if (!spec.expectObject()) {
                return;
            }
            spec.allowOnly(RISK_CLASS);
            Set<String> models = Set.copyOf(spec.list("allowed_models", refs::model));
            Set<String> regions = Set.copyOf(spec.list("regions", refs::region));
            classes.put(className, new RiskClass(className, models, regions));
        });
        return classes;
    }

    private static List<Route> routes(ConfigNode root, References refs, VerbReader defaults, Set<String> riskClasses) {
        List<ConfigNode> nodes = root.list("routes");
        if (nodes.isEmpty()) {
            root.problems().add("routes", "list at least one route; the last must match every request");
            return List.of();
        }
        List<Route> routes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            ConfigNode node = nodes.get(i);
            if (!node.expectObject()) {
                continue;
            }
            node.allowOnly(ROUTE_FIELDS);
            String name = node.requiredText("name").orElse("route-" + i);
            if (!names.add(name)) {
                node.problems().add(node.path() + ".name", "route name '" + name + "' is used twice");
            }
            Route.Match match =
                    node.field("match").map(m -> refs.match(m, riskClasses)).orElse(Route.Match.ANY);
            if (i == nodes.size() - 1 && !match.matchesEverything()) {
                node.problems()
                        .add(
                                node.path() + ".match",
                                "the last route must match every request: remove its"
                                        + " match so no request is left without a route");
            }
            VerbReader verbs = new VerbReader(refs, Optional.of(defaults));
            verbs.readAll(node);
            routes.add(verbs.route(name, match));
        }
        return routes;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    /** Checks names in a policy against the catalog and the classifier's labels. */
    record References(Catalog catalog, Set<String> intents) {
        Optional<String> model(ConfigNode node) {
            return node.asText().filter(m -> {
                if (catalog.model(m).isEmpty()) {
                    node.error("unknown model '" + m + "': the catalog has no such model");
                    return false;
                }
                return true;
            });
        }

        Optional<String> region(ConfigNode node) {
            return node.asText().filter(r -> {
                if (!catalog.regions().contains(r)) {
                    node.error("unknown region '" + r + "' (catalog regions: "
                            + String.join(", ", new TreeSet<>(catalog.regions())) + ")");
                    return false;
                }
                return true;
            });
        }

        Optional<String> intent(ConfigNode node) {
            return node.asText().filter(i -> {
                if (!intents.contains(i)) {
                    node.error("unknown intent '" + i + "' (the classifier knows: "
                            + String.join(", ", new TreeSet<>(intents)) + ")");
                    return false;
                }
                return true;
            });
        }

        Route.Match match(ConfigNode node, Set<String> riskClasses) {
            if (!node.expectObject()) {
                return Route.Match.ANY;
            }
            node.allowOnly(Set.of("intents", "risk_classes", "metadata"));
            int errorsBefore = node.problems().count();
            Set<String> intentSet = Set.copyOf(node.list("intents", this::intent));
            Set<String> risk =
                    Set.copyOf(node.list("risk_classes", c -> c.asText().filter(r -> {
                        if (!riskClasses.contains(r)) {
                            c.error("unknown risk class '" + r + "' (defined: "
                                    + String.join(", ", new TreeSet<>(riskClasses)) + ")");
                            return false;
                        }
                        return true;
                    })));
            Map<String, String> metadata = new LinkedHashMap<>();
            node.field("metadata").filter(ConfigNode::expectObject).ifPresent(m -> m.entries()
                    .forEach((k, v) -> v.asText().ifPresent(text -> metadata.put(k, text))));
            Route.Match match = new Route.Match(intentSet, risk, metadata);
            if (match.matchesEverything() && node.problems().count() == errorsBefore) {
                node.error("an empty match matches everything: remove it instead");
            }
            return match;
        }

        Optional<dev.llmrouter.request.Capability> capability(ConfigNode node) {
            return CatalogLoader.capability(node);
        }
    }
}
