package dev.llmrouter.evalsets;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.config.ConfigNode;
import dev.llmrouter.config.Documents;
import dev.llmrouter.config.Problems;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/** The tier of each model the labelled sets name ({@code config/tiers.yaml}), else the catalog's. */
public record TierMap(Map<String, Integer> tiers, Catalog catalog) {
    public TierMap {
        tiers = Map.copyOf(tiers);
    }

    public static TierMap load(Path file, Catalog catalog) {
        Problems problems = new Problems();
        ConfigNode root = ConfigNode.root(Documents.read(file), problems);
        Map<String, Integer> tiers = new LinkedHashMap<>();
        if (root.expectObject()) {
            root.entries().keySet().forEach(model -> root.integer(model, 1, 9).ifPresent(t -> tiers.put(model, t)));
        }
        problems.throwIfAny("tier map " + file);
        return new TierMap(tiers, catalog);
    }

    public OptionalInt tierOf(String model) {
        Integer tier = tiers.get(model);
        if (tier != null) {
            return OptionalInt.of(tier);
        }
        return catalog.model(model).map(ModelSpec::tier).map(OptionalInt::of).orElse(OptionalInt.empty());
    }
}
