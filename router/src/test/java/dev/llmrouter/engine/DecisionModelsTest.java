package dev.llmrouter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.classify.HeuristicClassifier;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.gate.HeuristicAnswerGate;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecisionModelsTest {
    @TempDir
    Path dir;

    @Test
    void heuristicChoosesTheBuiltInClassifierAndGate() {
        try (DecisionModels models = DecisionModels.load(DecisionModels.HEURISTIC, dir, Device.CPU)) {
            assertInstanceOf(HeuristicClassifier.class, models.classifier());
            assertInstanceOf(HeuristicAnswerGate.class, models.gate());
        }
    }

    @Test
    void aMissingBundleIsNamedWithTheFix() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> DecisionModels.load("bundles/none", dir, Device.CPU));
        assertEquals(
                "no classifier bundle at " + dir.resolve("bundles/none")
                        + " (make one with ./llm-router train, or say 'heuristic')",
                e.getMessage());
    }

    @Test
    void aFolderThatIsNoBundleIsRefusedByTheLoader() throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> DecisionModels.load("empty", dir, Device.CPU));
        assertTrue(e.getMessage().contains("no intent.onnx"), e.getMessage());
    }
}
