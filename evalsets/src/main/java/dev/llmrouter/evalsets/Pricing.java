package dev.llmrouter.evalsets;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.request.TokenEstimate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a model's call on a record cost: the record's real cost where it has one, else list price x tokens,
 * with the price from the command line, else the catalog, else implied by the model's recorded costs.
 */
public final class Pricing {
    private final Catalog catalog;
    private final Map<String, double[]> given;
    private final List<LabelledRecord> records;
    private final int assumedOutputTokens;
    private final java.util.concurrent.ConcurrentHashMap<String, Optional<Price>> prices =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** @param given USD per million input and output tokens by model, from {@code --price} */
    public Pricing(
            Catalog catalog, Map<String, double[]> given, List<LabelledRecord> records, int assumedOutputTokens) {
        this.catalog = catalog;
        this.given = Map.copyOf(given);
        this.records = records;
        this.assumedOutputTokens = assumedOutputTokens;
    }

    public int assumedOutputTokens() {
        return assumedOutputTokens;
    }

    /** How costs are computed, for reports. */
    public String describe() {
        boolean recorded = records.stream().anyMatch(r -> r.outcomes().values().stream()
                .anyMatch(o -> o.costUsd().isPresent()));
        return (recorded ? "the records' real per-call costs where present, else " : "")
                + "list price x tokens (input tokens from the record or estimated from the prompt; output tokens from"
                + " the record, else its answer length / 4, else " + assumedOutputTokens + " assumed)";
    }

    /** Input and output price in USD per million tokens, and where it came from. */
    public record Price(double input, double output, String source) {}

    /** Found once per model: an implied price scans every record. */
    public Optional<Price> price(String model) {
        return prices.computeIfAbsent(model, this::find);
    }

    private Optional<Price> find(String model) {
        double[] p = given.get(model);
        if (p != null) {
            return Optional.of(new Price(p[0], p[1], "--price"));
        }
        Optional<ModelSpec> spec = catalog.model(model);
        if (spec.isPresent()) {
            return Optional.of(new Price(spec.get().inputPrice(), spec.get().outputPrice(), "catalog"));
        }
        double cost = 0;
        double tokens = 0;
        for (LabelledRecord r : records) {
            LabelledRecord.Outcome o = r.outcomes().get(model);
            if (o != null && o.costUsd().isPresent()) {
                cost += o.costUsd().getAsDouble();
                tokens += inputTokens(r, o) + outputTokens(o);
            }
        }
        if (tokens > 0) {
            double implied = cost / tokens * 1_000_000;
            return Optional.of(new Price(implied, implied, "implied by recorded costs"));
        }
        return Optional.empty();
    }

    /** The cost of {@code model} answering {@code record}, or empty when it has no outcome or no price. */
    public Optional<Double> costOf(String model, LabelledRecord record) {
        LabelledRecord.Outcome o = record.outcomes().get(model);
        if (o == null) {
            return Optional.empty();
        }
        if (o.costUsd().isPresent()) {
            return Optional.of(o.costUsd().getAsDouble());
        }
        return price(model).map(p -> (inputTokens(record, o) * p.input() + outputTokens(o) * p.output()) / 1_000_000);
    }

    static int inputTokens(LabelledRecord record, LabelledRecord.Outcome outcome) {
        if (outcome.inputTokens().isPresent()) {
            return outcome.inputTokens().getAsInt();
        }
        int tokens = TokenEstimate.ofText(record.prompt());
        for (String turn : record.turns()) {
            tokens += TokenEstimate.ofText(turn);
        }
        return tokens;
    }

    int outputTokens(LabelledRecord.Outcome outcome) {
        if (outcome.outputTokens().isPresent()) {
            return outcome.outputTokens().getAsInt();
        }
        if (outcome.outputChars().isPresent() && outcome.outputChars().getAsInt() > 0) {
            return (outcome.outputChars().getAsInt() + 3) / 4;
        }
        return outcome.response().map(TokenEstimate::ofText).orElse(assumedOutputTokens);
    }
}
