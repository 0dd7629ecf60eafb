package dev.llmrouter.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmrouter.features.ModelCard;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reliability diagram a card keeps, and the ECE computed from it. */
class CalibrationTest {
    @Test
    void binsHoldTheMeanPredictionAndTheObservedShareAndEceWeighsTheirGaps() {
        double[] p = {0.05, 0.15, 0.12, 0.95, 0.91};
        boolean[] actual = {false, true, false, true, false};
        List<ModelCard.ReliabilityBin> bins = Calibration.reliability(p, actual, 10);
        assertEquals(3, bins.size(), "empty bins are left out");
        assertEquals(new ModelCard.ReliabilityBin(0.0, 0.1, 1, 0.05, 0.0), bins.get(0));
        assertEquals(2, bins.get(1).count());
        assertEquals(0.135, bins.get(1).predicted(), 1e-12);
        assertEquals(0.5, bins.get(1).observed(), 1e-12);
        assertEquals(0.93, bins.get(2).predicted(), 1e-12);
        // (1 * 0.05 + 2 * 0.365 + 2 * 0.43) / 5
        assertEquals((0.05 + 0.73 + 0.86) / 5, Calibration.expectedCalibrationError(bins), 1e-12);
    }

    @Test
    void theDiagramTravelsWithTheCard(@TempDir Path dir) {
        List<ModelCard.ReliabilityBin> bins = List.of(new ModelCard.ReliabilityBin(0.5, 0.6, 7, 0.55, 0.57));
        ModelCard card = ModelCard.builder("gate-x", "gate").reliability(bins).build();
        card.write(dir.resolve("gate-x.json"));
        assertEquals(bins, ModelCard.read(dir.resolve("gate-x.json")).reliability());
        ModelCard none = ModelCard.builder("intent", "intent").build();
        none.write(dir.resolve("intent.json"));
        assertEquals(List.of(), ModelCard.read(dir.resolve("intent.json")).reliability(), "absent: empty");
    }
}
