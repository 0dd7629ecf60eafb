package dev.llmrouter.features;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.llmrouter.request.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * What travels with an exported ONNX classifier ({@code <name>.json} beside {@code <name>.onnx}): what it
 * predicts, from which features, trained on what, how well, and the hashes that tie it all together.
 *
 * @param name the model's file name without extension
 * @param kind {@code intent}, {@code difficulty} or {@code gate}
 * @param labels the output columns of the ONNX probability tensor, in order
 * @param positiveLabel for a binary model, the label whose probability is the score
 * @param tier for a difficulty model, the tier whose success it predicts
 * @param domain for an answer gate, the intents of the requests whose answers it learned from (empty: any);
 *     it judges only answers to requests of those intents
 * @param featureSpec the extractor's canonical spec text
 * @param featureSpecHash its sha256; the runtime refuses a model whose hash differs from its extractor's
 * @param columns base64 of the bit set of feature-space indices the model has columns for, in index order
 * @param onnxSha256 sha256 of the ONNX file
 * @param training the files trained on, with sha256 and the rows used
 * @param metrics held-out metrics by name
 * @param thresholds calibrated thresholds by name (e.g. the quality floor for a 50% strong share)
 * @param provenance Tribuo's provenance of the trained model
 * @param created ISO-8601 date of export
 * @param irt for the item-response difficulty model, the abilities that turn its per-prompt ease into each
 *     model's and each tier's probability of success; {@code null} for every other model
 */
public record ModelCard(
        String name,
        String kind,
        List<String> labels,
        String positiveLabel,
        int tier,
        List<String> domain,
        String featureSpec,
        String featureSpecHash,
        String columns,
        String onnxSha256,
        List<TrainingFile> training,
        Map<String, Double> metrics,
        Map<String, Double> thresholds,
        String provenance,
        String created,

        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        Irt irt,

        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
        List<ReliabilityBin> reliability) {

    private static final ObjectMapper JSON = Json.MAPPER
            .copy()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public ModelCard {
        labels = List.copyOf(labels);
        domain = domain == null ? List.of() : List.copyOf(domain);
        training = List.copyOf(training);
        metrics = Map.copyOf(metrics);
        thresholds = Map.copyOf(thresholds);
        reliability = reliability == null ? List.of() : List.copyOf(reliability);
    }

    /**
     * One bin of a binary model's reliability diagram on its held-out rows: the rows whose predicted probability
     * of the positive label fell in the bin ({@code count}), their mean prediction and the share that was positive.
     * A calibrated model has {@code observed} close to {@code predicted} in every bin.
     */
    public record ReliabilityBin(double low, double high, int count, double predicted, double observed) {}

    /** The label prefix of a model's own term in an item-response card (see {@link Irt}). */
    public static final String OWN_PREFIX = "own:";

    /** The label prefix of a training set's familiarity class in an item-response card (see {@link Irt}). */
    public static final String FAMILIAR_PREFIX = "familiar:";

    /** The label of the easy-request class in an item-response card (see {@link Irt}). */
    public static final String EASY = "easy";

    /**
     * What an item-response difficulty model adds to its card. The ONNX graph gives a prompt's ease {@code e}
     * (the log-odds of success for a model of ability 0); a model of ability {@code a} answers it well with
     * probability {@code sigmoid(e + a)}. The labels after the first two ({@code fail}, {@code ok}) are own
     * terms and familiarities. A label {@link #OWN_PREFIX}{@code <set>:<model>} is a per-prompt term of the
     * model's own, learned from its answers to that training set, whose class's log-odds against {@code
     * fail} is added to the model's, weighed by the probability that the prompt is like the set's prompts:
     * the sigmoid of the log-odds against {@code fail} of the class {@link #FAMILIAR_PREFIX}{@code <set>}
     * (1 when the card has no such class: every training prompt was the set's). A label {@value #EASY} is
     * the easy-request class: the sigmoid of its log-odds against {@code fail} is the probability {@code p}
     * that the prompt is an easy request, one every model serves well (learned from the easy prompts against
     * the outcome sets' prompts), and a model's predicted success is {@code p + (1 - p) * sigmoid(e + a)}.
     *
     * @param abilities each model of the training data by its name there
     * @param tierAbilities each tier's ability: the mean of its models' (by the tier map used in training), for
     *     catalog models the data does not name
     * @param assumptions what the labels rest on beyond the recorded outcomes, in words
     */
    public record Irt(Map<String, Double> abilities, Map<Integer, Double> tierAbilities, List<String> assumptions) {
        public Irt {
            abilities = Map.copyOf(abilities);
            tierAbilities = Map.copyOf(tierAbilities);
            assumptions = List.copyOf(assumptions);
        }
    }

    /** The same card for another file: its name and the file's sha256. */
    public ModelCard forFile(String newName, String newOnnxSha256) {
        return toBuilder().name(newName).onnxSha256(newOnnxSha256).build();
    }

    /** This card with what training measured and recorded after export. */
    public ModelCard withResults(
            Map<String, Double> measured, Map<String, Double> calibrated, String trainerProvenance, String date) {
        return toBuilder()
                .results(measured, calibrated, trainerProvenance, date)
                .build();
    }

    /** This card with its held-out reliability diagram. */
    public ModelCard withReliability(List<ReliabilityBin> bins) {
        return toBuilder().reliability(bins).build();
    }

    /** This card with the abilities of an item-response model. */
    public ModelCard withIrt(Irt abilities) {
        return toBuilder().irt(abilities).build();
    }

    /** A card of this name and kind, the rest empty until set. */
    public static Builder builder(String name, String kind) {
        return new Builder(name, kind);
    }

    /** A builder that starts from this card. */
    public Builder toBuilder() {
        Builder b = new Builder(name, kind);
        b.labels = labels;
        b.positiveLabel = positiveLabel;
        b.tier = tier;
        b.domain = domain;
        b.featureSpec = featureSpec;
        b.featureSpecHash = featureSpecHash;
        b.columns = columns;
        b.onnxSha256 = onnxSha256;
        b.training = training;
        b.metrics = metrics;
        b.thresholds = thresholds;
        b.provenance = provenance;
        b.created = created;
        b.irt = irt;
        b.reliability = reliability;
        return b;
    }

    /** Builds a card by name instead of by position. */
    public static final class Builder {
        private String name;
        private final String kind;
        private List<String> labels = List.of();
        private String positiveLabel = "";
        private int tier;
        private List<String> domain = List.of();
        private String featureSpec = "";
        private String featureSpecHash = "";
        private String columns = "";
        private String onnxSha256 = "";
        private List<TrainingFile> training = List.of();
        private Map<String, Double> metrics = Map.of();
        private Map<String, Double> thresholds = Map.of();
        private String provenance = "";
        private String created = "";
        private Irt irt;
        private List<ReliabilityBin> reliability = List.of();

        private Builder(String name, String kind) {
            this.name = name;
            this.kind = kind;
        }

        public Builder name(String value) {
            name = value;
            return this;
        }

        /** The output labels in the model's output order, and which one is the positive outcome (or ""). */
        public Builder labels(List<String> value, String positive) {
            labels = value;
            positiveLabel = positive;
            return this;
        }

        public Builder tier(int value) {
            tier = value;
            return this;
        }

        public Builder domain(List<String> value) {
            domain = value;
            return this;
        }

        /** The feature space the model was trained on. */
        public Builder features(FeatureSpec spec) {
            return features(spec.canonical(), spec.hash());
        }

        public Builder features(String canonical, String hash) {
            featureSpec = canonical;
            featureSpecHash = hash;
            return this;
        }

        public Builder columns(BitSet value) {
            columns = encodeColumns(value);
            return this;
        }

        public Builder onnxSha256(String value) {
            onnxSha256 = value;
            return this;
        }

        public Builder training(List<TrainingFile> value) {
            training = value;
            return this;
        }

        /** What training measured and calibrated, its provenance and the date. */
        public Builder results(
                Map<String, Double> measured, Map<String, Double> calibrated, String trainerProvenance, String date) {
            metrics = measured;
            thresholds = calibrated;
            provenance = trainerProvenance;
            created = date;
            return this;
        }

        public Builder irt(Irt value) {
            irt = value;
            return this;
        }

        public Builder reliability(List<ReliabilityBin> value) {
            reliability = value;
            return this;
        }

        public ModelCard build() {
            return new ModelCard(
                    name,
                    kind,
                    labels,
                    positiveLabel,
                    tier,
                    domain,
                    featureSpec,
                    featureSpecHash,
                    columns,
                    onnxSha256,
                    training,
                    metrics,
                    thresholds,
                    provenance,
                    created,
                    irt,
                    reliability);
        }
    }

    /** A training input: path as given, its sha256, and how many rows of it were used. */
    public record TrainingFile(String path, String sha256, int rows) {}

    public static String encodeColumns(BitSet columns) {
        return Base64.getEncoder().encodeToString(columns.toByteArray());
    }

    public BitSet columnSet() {
        return BitSet.valueOf(Base64.getDecoder().decode(columns));
    }

    public void write(Path file) {
        try {
            Files.writeString(file, JSON.writeValueAsString(this) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model card " + file, e);
        }
    }

    /** Reads a card; a missing or malformed card is an {@link IllegalArgumentException} naming the file. */
    public static ModelCard read(Path file) {
        try {
            return JSON.readValue(file.toFile(), ModelCard.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not a model card: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the model card: " + e.getMessage(), e);
        }
    }
}
