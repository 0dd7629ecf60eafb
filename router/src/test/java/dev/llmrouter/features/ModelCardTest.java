package dev.llmrouter.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCardTest {
    @TempDir
    Path dir;

    static ModelCard card() {
        BitSet columns = new BitSet();
        columns.set(3);
        columns.set(70_000);
        return ModelCard.builder("difficulty", "difficulty")
                .labels(List.of("fail", "ok", "gpt-4"), "ok")
                .features(FeatureSpec.DEFAULT)
                .columns(columns)
                .onnxSha256("ab".repeat(32))
                .training(List.of(new ModelCard.TrainingFile("set.jsonl", "cd".repeat(32), 12)))
                .results(Map.of("roc_auc", 0.7), Map.of(), "provenance", "2026-12-04")
                .irt(new ModelCard.Irt(Map.of("gpt-4", 1.5), Map.of(3, 1.5), List.of("an assumption")))
                .build();
    }

    @Test
    void theBuilderSetsEachFieldByName() {
        ModelCard card = card();
        assertEquals("ok", card.positiveLabel());
        assertEquals(0, card.tier());
        assertEquals(List.of(), card.domain());
        assertEquals(FeatureSpec.DEFAULT.canonical(), card.featureSpec());
        assertEquals(FeatureSpec.DEFAULT.hash(), card.featureSpecHash());
        assertEquals(2, card.columnSet().cardinality());
        assertEquals(70_000, card.columnSet().previousSetBit(Integer.MAX_VALUE - 1));
        assertEquals(Map.of("roc_auc", 0.7), card.metrics());
        assertEquals("2026-12-04", card.created());
        assertNull(ModelCard.builder("intent", "intent").build().irt());
    }

    @Test
    void aCardRoundTripsThroughItsBuilderAndItsFile() {
        ModelCard card = card();
        assertEquals(card, card.toBuilder().build());
        assertEquals("sparse", card.forFile("sparse", "ef".repeat(32)).name());
        assertEquals(card.irt(), card.forFile("sparse", "ef".repeat(32)).irt());
        card.write(dir.resolve("card.json"));
        assertEquals(card, ModelCard.read(dir.resolve("card.json")));
    }
}
