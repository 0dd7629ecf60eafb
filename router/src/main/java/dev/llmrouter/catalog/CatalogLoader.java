package dev.llmrouter.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.config.ConfigNode;
import dev.llmrouter.config.Documents;
import dev.llmrouter.config.Problems;
import dev.llmrouter.request.Capability;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Admits a catalog document: every unknown field, wrong type or impossible value is reported with its path. */
public final class CatalogLoader {
    private static final Set<String> TOP = Set.of("prices_as_of", "regions", "providers", "models");
    private static final Set<String> PROVIDER = Set.of("kind", "base_url", "api_key_env", "timeouts");
    private static final Set<String> TIMEOUTS = Set.of("connect", "first_byte", "total");
    private static final Set<String> MODEL = Set.of(
            "id",
            "provider",
            "upstream_id",
            "data_names",
            "tier",
            "price",
            "context_window",
            "max_output_tokens",
            "capabilities",
            "region",
            "unsupported_params",
            "latency");
    private static final Set<String> PRICE = Set.of("input", "output");
    private static final Set<String> LATENCY = Set.of("first_token_ms", "tokens_per_second");

    private CatalogLoader() {}

    public static Catalog load(Path file) {
        return admit(Documents.read(file), "catalog " + file);
    }

    public static Catalog admit(JsonNode document, String name) {
        Problems problems = new Problems();
        ConfigNode root = ConfigNode.root(document, problems);
        if (!root.expectObject()) {
            problems.throwIfAny(name);
        }
        root.allowOnly(TOP);
        LocalDate asOf =
                root.requiredText("prices_as_of").flatMap(t -> date(root, t)).orElse(LocalDate.EPOCH);
        Set<String> regions = new LinkedHashSet<>(root.textList("regions"));
        if (regions.isEmpty()) {
            problems.add("regions", "list at least one region the catalog's models are served in");
        }
        Map<String, ProviderSpec> providers = new LinkedHashMap<>();
        root.required("providers").filter(ConfigNode::expectObject).ifPresent(p -> p.entries()
                .forEach((providerName, spec) ->
                        provider(providerName, spec).ifPresent(s -> providers.put(providerName, s))));
        Set<String> providerNames = new LinkedHashSet<>();
        root.field("providers").ifPresent(p -> p.json().fieldNames().forEachRemaining(providerNames::add));
        List<ModelSpec> models = root.list("models").stream()
                .map(m -> model(m, providerNames, regions))
                .flatMap(Optional::stream)
                .toList();
        if (root.field("models").isEmpty() || models.isEmpty() && problems.isEmpty()) {
            problems.add("models", "list at least one model");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < models.size(); i++) {
            if (!seen.add(models.get(i).id())) {
                problems.add("models", "model id '" + models.get(i).id() + "' is listed twice");
            }
        }
        problems.throwIfAny(name);
        return new Catalog(asOf, regions, providers, models, Documents.canonicalHash(document));
    }

    private static Optional<LocalDate> date(ConfigNode root, String text) {
        try {
            return Optional.of(LocalDate.parse(text));
        } catch (DateTimeParseException e) {
            root.problems().add("prices_as_of", "expected a date as YYYY-MM-DD, got \"" + text + "\"");
            return Optional.empty();
        }
    }

    private static Optional<ProviderSpec> provider(String name, ConfigNode node) {
        if (!node.expectObject()) {
            return Optional.empty();
        }
        node.allowOnly(PROVIDER);
        Optional<ProviderSpec.Kind> kind = node.requiredText("kind").flatMap(k -> {
            Optional<ProviderSpec.Kind> known = Arrays.stream(ProviderSpec.Kind.values())
                    .filter(v -> v.key().equals(k))
                    .findFirst();
            if (known.isEmpty()) {
                node.problems()
                        .add(node.path() + ".kind", "unknown provider kind '" + k + "' (known: openai, anthropic)");
            }
            return known;
        });
        Optional<URI> url = node.requiredText("base_url").flatMap(u -> uri(node, u));
        String keyEnv = node.text("api_key_env").orElse("");
        if (!keyEnv.isEmpty() && !keyEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            node.problems()
                    .add(node.path() + ".api_key_env", "expected an environment variable name, got \"" + keyEnv + "\"");
        }
        Timeouts timeouts = node.field("timeouts").map(CatalogLoader::timeouts).orElse(Timeouts.DEFAULT);
        if (kind.isEmpty() || url.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ProviderSpec(name, kind.get(), url.get(), keyEnv, timeouts));
    }

    private static Timeouts timeouts(ConfigNode node) {
        if (!node.expectObject()) {
            return Timeouts.DEFAULT;
        }
        node.allowOnly(TIMEOUTS);
        Duration connect = node.duration("connect").orElse(Timeouts.DEFAULT.connect());
        Duration firstByte = node.duration("first_byte").orElse(Timeouts.DEFAULT.firstByte());
        Duration total = node.duration("total").orElse(Timeouts.DEFAULT.total());
        try {
            return new Timeouts(connect, firstByte, total);
        } catch (IllegalArgumentException e) {
            node.error(e.getMessage());
            return Timeouts.DEFAULT;
        }
    }

    private static Optional<URI> uri(ConfigNode node, String text) {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                node.problems().add(node.path() + ".base_url", "expected an http or https URL, got \"" + text + "\"");
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            node.problems().add(node.path() + ".base_url", "not a valid URL: " + e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<ModelSpec> model(ConfigNode node, Set<String> providers, Set<String> regions) {
        if (!node.expectObject()) {
            return Optional.empty();
        }
        node.allowOnly(MODEL);
        Optional<String> id = node.requiredText("id");
        Optional<String> provider = node.requiredText("provider");
        provider.filter(p -> !providers.contains(p)).ifPresent(p -> node.problems()
                .add(
                        node.path() + ".provider",
                        "unknown provider '" + p + "' (defined: " + String.join(", ", providers) + ")"));
        String upstream = node.text("upstream_id").or(() -> id).orElse("");
        int tier = node.integer("tier", 1, 9).orElse(-1);
        if (node.field("tier").isEmpty()) {
            node.problems().add(node.path() + ".tier", "required");
        }
        double[] price = {-1, -1};
        node.required("price").filter(ConfigNode::expectObject).ifPresent(p -> {
            p.allowOnly(PRICE);
            price[0] = p.number("input", 0, 10_000).orElse(-1);
            price[1] = p.number("output", 0, 10_000).orElse(-1);
            p.required("input");
            p.required("output");
        });
        int context = node.integer("context_window", 1, 100_000_000).orElse(-1);
        int maxOut = node.integer("max_output_tokens", 1, 100_000_000).orElse(-1);
        node.required("context_window");
        node.required("max_output_tokens");
        if (context > 0 && maxOut > context) {
            node.problems().add(node.path() + ".max_output_tokens", "cannot exceed context_window (" + context + ")");
        }
        Set<Capability> capabilities = Set.copyOf(node.list("capabilities", c -> capability(c)));
        Optional<String> region = node.requiredText("region");
        region.filter(r -> !regions.contains(r)).ifPresent(r -> node.problems()
                .add(
                        node.path() + ".region",
                        "unknown region '" + r + "' (catalog regions: " + String.join(", ", regions) + ")"));
        Set<String> unsupported = Set.copyOf(node.textList("unsupported_params"));
        int[] latency = {800, 60};
        node.field("latency").filter(ConfigNode::expectObject).ifPresent(l -> {
            l.allowOnly(LATENCY);
            latency[0] = l.integer("first_token_ms", 1, 600_000).orElse(latency[0]);
            latency[1] = l.integer("tokens_per_second", 1, 100_000).orElse(latency[1]);
        });
        if (id.isEmpty()
                || provider.isEmpty()
                || region.isEmpty()
                || tier < 0
                || price[0] < 0
                || price[1] < 0
                || context < 0
                || maxOut < 0) {
            return Optional.empty();
        }
        return Optional.of(new ModelSpec(
                id.get(),
                provider.get(),
                upstream,
                tier,
                price[0],
                price[1],
                context,
                maxOut,
                capabilities,
                region.get(),
                unsupported,
                latency[0],
                latency[1],
                node.textList("data_names")));
    }

    /** Reads a capability name, reporting an unknown one at the node's path. */
    public static Optional<Capability> capability(ConfigNode node) {
        return node.asText().flatMap(text -> {
            Optional<Capability> c = Capability.fromKey(text);
            if (c.isEmpty()) {
                node.error("unknown capability '" + text + "' (known: "
                        + Arrays.stream(Capability.values())
                                .map(Capability::key)
                                .collect(Collectors.joining(", ")) + ")");
            }
            return c;
        });
    }
}
