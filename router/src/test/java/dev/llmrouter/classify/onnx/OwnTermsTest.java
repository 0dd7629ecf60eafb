package dev.llmrouter.classify.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OwnTermsTest {
    @Test
    void aTermIsWeighedByItsSetsFamiliarityAndATermWithoutOneCountsWhole() {
        OwnTerms terms = OwnTerms.of(List.of(
                "fail", "ok", "own:chat:llama3:8b", "own:exams:llama3:8b", "own:exams:gpt-4o", "familiar:exams"));
        // every class's log-odds against fail (class 0): the terms ln 4 and ln 2, and exams's familiarity ln 3
        float[] q = {0.1f, 0.2f, 0.4f, 0.2f, 0.2f, 0.3f};
        Map<String, Double> abilities = terms.addTo(Map.of("llama3:8b", 1.0, "gpt-4o", 2.0, "other", 0.5), q, 0);
        double familiar = 0.75; // sigmoid(ln 3)
        assertEquals(1 + Math.log(4) + familiar * Math.log(2), abilities.get("llama3:8b"), 1e-6);
        assertEquals(2 + familiar * Math.log(2), abilities.get("gpt-4o"), 1e-6);
        assertEquals(0.5, abilities.get("other"));
    }

    @Test
    void aClassThatIsNeitherATermNorAFamiliarityIsRefused() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> OwnTerms.of(List.of("fail", "ok", "mixtral")));
        assertTrue(e.getMessage().contains("'mixtral'"), e.getMessage());
        assertTrue(OwnTerms.of(List.of("fail", "ok")).isEmpty());
        assertTrue(OwnTerms.of(List.of("fail", "ok", "familiar:exams", "easy")).isEmpty());
    }
}
