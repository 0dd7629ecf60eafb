package dev.llmrouter.catalog;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The models that can serve, their providers and prices. Admitted by {@link CatalogLoader}; identified by
 * the sha256 of its canonical form.
 *
 * @param pricesAsOf the day the list prices were taken
 * @param regions the regions models are served in; policies may name only these
 * @param providers by name
 * @param models in file order
 * @param hash sha256 of the canonical document
 */
public record Catalog(
        LocalDate pricesAsOf,
        Set<String> regions,
        Map<String, ProviderSpec> providers,
        List<ModelSpec> models,
        String hash) {

    public Catalog {
        regions = Set.copyOf(regions);
        providers = Map.copyOf(providers);
        models = List.copyOf(models);
    }

    public Optional<ModelSpec> model(String id) {
        return models.stream().filter(m -> m.id().equals(id)).findFirst();
    }

    public ProviderSpec providerOf(ModelSpec model) {
        return providers.get(model.provider());
    }

    /** A copy with {@code extra} models added (or replacing models of the same id), for evaluation runs. */
    public Catalog withModels(List<ModelSpec> extra, String newHash) {
        Map<String, ModelSpec> byId = new LinkedHashMap<>();
        models.forEach(m -> byId.put(m.id(), m));
        extra.forEach(m -> byId.put(m.id(), m));
        return new Catalog(pricesAsOf, regions, providers, List.copyOf(byId.values()), newHash);
    }
}
