package dev.llmrouter.evalsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BaselinesTest {
    /** Four requests: strong helps on the first two, hurts on the third, ties on the fourth. */
    private static final List<PairOutcome> FOUR = List.of(
            new PairOutcome("a", 10, 0, 1, 1, 10),
            new PairOutcome("a", 40, 0, 1, 1, 10),
            new PairOutcome("b", 30, 1, 0, 1, 10),
            new PairOutcome("b", 20, 1, 1, 1, 10));

    @Test
    void alwaysCheapAndAlwaysStrongAreTheEnds() {
        CurvePoint cheap = Baselines.alwaysCheap(FOUR);
        CurvePoint strong = Baselines.alwaysStrong(FOUR);
        assertEquals(0.0, cheap.strongShare());
        assertEquals(0.5, cheap.quality());
        assertEquals(4.0, cheap.costUsd());
        assertEquals(1.0, strong.strongShare());
        assertEquals(0.75, strong.quality());
        assertEquals(40.0, strong.costUsd());
    }

    @Test
    void oracleTakesTheGainsFirst() {
        List<CurvePoint> curve = Baselines.oracle(FOUR, 100);
        assertEquals(5, curve.size());
        assertEquals(
                List.of(0.5, 0.75, 1.0, 1.0, 0.75),
                curve.stream().map(CurvePoint::quality).toList());
        assertEquals(
                List.of(4.0, 13.0, 22.0, 31.0, 40.0),
                curve.stream().map(CurvePoint::costUsd).toList());
    }

    @Test
    void lengthSendsLongerPromptsStrongFirst() {
        List<CurvePoint> curve = Baselines.length(FOUR, 100);
        // order by length: 40 (gain), 30 (loss), 20 (tie), 10 (gain)
        assertEquals(
                List.of(0.5, 0.75, 0.5, 0.5, 0.75),
                curve.stream().map(CurvePoint::quality).toList());
    }

    @Test
    void randomRecoversHalfTheGap() {
        Random data = new Random(7);
        List<PairOutcome> items = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            items.add(new PairOutcome("s", i, data.nextDouble() < 0.6 ? 1 : 0, data.nextDouble() < 0.8 ? 1 : 0, 1, 10));
        }
        double cheap = Baselines.alwaysCheap(items).quality();
        double strong = Baselines.alwaysStrong(items).quality();
        double apgr =
                Metrics.apgr(Baselines.random(items, 42, 20), cheap, strong).getAsDouble();
        assertEquals(0.5, apgr, 0.02);
    }
}
