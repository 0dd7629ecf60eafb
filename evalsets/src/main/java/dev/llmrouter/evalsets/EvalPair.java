package dev.llmrouter.evalsets;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.catalog.ProviderSpec;
import dev.llmrouter.catalog.Timeouts;
import dev.llmrouter.request.Capability;
import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The two tiers of an evaluation run and the catalog the router sees during it: the cheap and the strong
 * model at their tiers ({@link TierMap}), both served by the replay provider. A model the catalog lacks is added with
 * the price {@link Pricing} finds for it (command line, else implied by the records' real costs).
 *
 * @param cheap the cheap model's name, as the records name it
 * @param strong the strong model's name
 * @param catalog the run's catalog: exactly these two models
 * @param pricing how calls are costed
 * @param cheapTier the cheap model's tier: its listed tier, else 1
 * @param strongTier the strong model's tier: its listed tier when above the cheap one, else the cheap tier + 1
 */
public record EvalPair(String cheap, String strong, Catalog catalog, Pricing pricing, int cheapTier, int strongTier) {
    public static final String PROVIDER = "replay";

    public static EvalPair of(
            Catalog base, String cheap, String strong, Pricing pricing, List<LabelledRecord> records, TierMap tiers) {
        if (cheap.equals(strong)) {
            throw new IllegalArgumentException("--cheap and --strong name the same model '" + cheap + "'");
        }
        for (String model : List.of(cheap, strong)) {
            if (records.stream().noneMatch(r -> r.outcomes().containsKey(model))) {
                Set<String> named = new TreeSet<>();
                records.forEach(r -> named.addAll(r.outcomes().keySet()));
                throw new IllegalArgumentException("no record has an outcome for model '" + model
                        + "'; the records name: " + String.join(", ", named));
            }
        }
        ProviderSpec replay = new ProviderSpec(
                PROVIDER, ProviderSpec.Kind.OPENAI, URI.create("http://replay.invalid"), "", Timeouts.DEFAULT);
        int cheapTier = tiers.tierOf(cheap).orElse(1);
        int listed = tiers.tierOf(strong).orElse(0);
        int strongTier = listed > cheapTier ? listed : cheapTier + 1;
        Catalog catalog = new Catalog(
                base.pricesAsOf(),
                base.regions(),
                Map.of(PROVIDER, replay),
                List.of(spec(base, cheap, cheapTier, pricing), spec(base, strong, strongTier, pricing)),
                base.hash());
        return new EvalPair(cheap, strong, catalog, pricing, cheapTier, strongTier);
    }

    private static ModelSpec spec(Catalog base, String name, int tier, Pricing pricing) {
        Pricing.Price price = pricing.price(name)
                .orElseThrow(() -> new IllegalArgumentException("model '" + name
                        + "' is not in the catalog and the records carry no cost for it: pass --price " + name
                        + "=IN,OUT (USD per million input and output tokens)"));
        Optional<ModelSpec> known = base.model(name);
        return new ModelSpec(
                name,
                PROVIDER,
                name,
                tier,
                price.input(),
                price.output(),
                known.map(ModelSpec::contextWindow).orElse(1_000_000),
                known.map(ModelSpec::maxOutputTokens).orElse(16_384),
                EnumSet.allOf(Capability.class),
                known.map(ModelSpec::region).orElse(base.regions().iterator().next()),
                Set.of(),
                known.map(ModelSpec::firstTokenMs).orElse(500),
                known.map(ModelSpec::tokensPerSecond).orElse(60),
                List.of());
    }

    /** What calling {@code model} on {@code record} cost; 0 for a model outside the pair. */
    public double costOf(String model, LabelledRecord record) {
        return pricing.costOf(model, record).orElse(0.0);
    }

    /** The record seen from the two tiers; a record missing either outcome is not part of the run. */
    public Optional<PairOutcome> outcome(LabelledRecord record) {
        LabelledRecord.Outcome c = record.outcomes().get(cheap);
        LabelledRecord.Outcome s = record.outcomes().get(strong);
        if (c == null || s == null) {
            return Optional.empty();
        }
        return Optional.of(new PairOutcome(
                record.category(),
                record.prompt().length(),
                c.score(),
                s.score(),
                costOf(cheap, record),
                costOf(strong, record)));
    }
}
