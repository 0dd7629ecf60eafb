package dev.llmrouter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.config.Documents;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.Pricing;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Prices of models the catalog does not list, and the answer length assumed for cost: the replaying commands' options. */
final class PriceOptions {
    @Option(
            names = "--price",
            paramLabel = "MODEL=IN,OUT",
            description = "USD per million input and output tokens for a model; repeatable.")
    Map<String, String> price = new LinkedHashMap<>();

    @Option(
            names = "--prices",
            paramLabel = "FILE",
            description = "A JSON file of prices: {model: {input_usd_per_mtok, output_usd_per_mtok}}.")
    Optional<Path> pricesFile = Optional.empty();

    @Option(
            names = "--assume-output-tokens",
            defaultValue = "400",
            paramLabel = "N",
            description = "Answer length for cost where a record gives none (default: ${DEFAULT-VALUE}).")
    int assumedOutputTokens;

    /** The pricing of {@code records} under these options. */
    Pricing pricing(Catalog catalog, List<LabelledRecord> records) {
        return new Pricing(catalog, prices(), records, assumedOutputTokens);
    }

    /** The prices the options give: the file's, then each --price. */
    Map<String, double[]> prices() {
        Map<String, double[]> prices = new LinkedHashMap<>();
        pricesFile.ifPresent(file -> {
            JsonNode json = Documents.read(file);
            json.fields().forEachRemaining(e -> {
                JsonNode in = e.getValue().get("input_usd_per_mtok");
                JsonNode outPrice = e.getValue().get("output_usd_per_mtok");
                if (in == null || outPrice == null || !in.isNumber() || !outPrice.isNumber()) {
                    throw new IllegalArgumentException(
                            file + ": " + e.getKey() + ": expected numbers input_usd_per_mtok and output_usd_per_mtok");
                }
                prices.put(e.getKey(), new double[] {in.asDouble(), outPrice.asDouble()});
            });
        });
        prices.putAll(parsePrices(price));
        return prices;
    }

    /** Parses {@code --price MODEL=IN,OUT} values. */
    static Map<String, double[]> parsePrices(Map<String, String> price) {
        Map<String, double[]> prices = new LinkedHashMap<>();
        price.forEach((model, value) -> {
            String[] parts = value.split(",");
            try {
                if (parts.length != 2) {
                    throw new NumberFormatException();
                }
                prices.put(model, new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1])});
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--price " + model + "=" + value
                        + ": expected MODEL=IN,OUT in USD per million tokens, e.g. --price gpt-4o=2.5,10");
            }
        });
        return prices;
    }
}
