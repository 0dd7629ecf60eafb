package dev.llmrouter.evalsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The metrics against small cases computed by hand. */
class MetricsTest {
    private static final double CHEAP = 0.6;
    private static final double STRONG = 0.8;

    private static CurvePoint at(double share, double quality) {
        return new CurvePoint(Double.NaN, share, quality, 0, 0);
    }

    @Test
    void pgrPlacesQualityBetweenCheapAndStrong() {
        assertEquals(0.5, Metrics.pgr(0.7, CHEAP, STRONG).getAsDouble(), 1e-12);
        assertEquals(0.0, Metrics.pgr(0.6, CHEAP, STRONG).getAsDouble(), 1e-12);
        assertEquals(1.5, Metrics.pgr(0.9, CHEAP, STRONG).getAsDouble(), 1e-12);
        assertTrue(Metrics.pgr(0.7, 0.7, 0.7).isEmpty(), "no gap, no PGR");
    }

    @Test
    void theDiagonalHasApgrOneHalf() {
        // (0,0) - (0.5,0.5) - (1,1): a triangle of area 1/2
        assertEquals(0.5, Metrics.apgr(List.of(at(0.5, 0.7)), CHEAP, STRONG).getAsDouble(), 1e-12);
    }

    @Test
    void apgrIsTheAreaUnderPgrOverStrongShare() {
        // (0,0) - (0.2,1) - (1,1): 0.2 * 0.5 + 0.8 * 1 = 0.9
        assertEquals(0.9, Metrics.apgr(List.of(at(0.2, 0.8)), CHEAP, STRONG).getAsDouble(), 1e-12);
        // a router worse than cheap for a while: (0,0) - (0.5,-0.5) - (1,1): 0.5 * -0.25 + 0.5 * 0.25 = 0
        assertEquals(0.0, Metrics.apgr(List.of(at(0.5, 0.5)), CHEAP, STRONG).getAsDouble(), 1e-12);
    }

    @Test
    void pointsAtOneShareAreAveraged() {
        // (0,0) - (0.5, mean(0, 1) = 0.5) - (1,1)
        assertEquals(
                0.5,
                Metrics.apgr(List.of(at(0.5, 0.6), at(0.5, 0.8)), CHEAP, STRONG).getAsDouble(),
                1e-12);
    }

    @Test
    void cptInterpolatesTheShareNeededToRecoverATarget() {
        List<CurvePoint> step = List.of(at(0.2, 0.8));
        assertEquals(0.1, Metrics.cpt(step, CHEAP, STRONG, 0.5).getAsDouble(), 1e-12);
        assertEquals(0.16, Metrics.cpt(step, CHEAP, STRONG, 0.8).getAsDouble(), 1e-12);
        assertEquals(0.5, Metrics.cpt(List.of(at(0.5, 0.7)), CHEAP, STRONG, 0.5).getAsDouble(), 1e-12);
        assertEquals(0.95, Metrics.cpt(List.of(), CHEAP, STRONG, 0.95).getAsDouble(), 1e-12);
    }

    @Test
    void aucCountsCorrectlyOrderedPairsAndHalfTheTies() {
        double[] scores = {0.1, 0.4, 0.35, 0.8};
        boolean[] positive = {false, false, true, true};
        // pairs (pos, neg): (0.35>0.1) (0.35<0.4) (0.8>0.1) (0.8>0.4) = 3 of 4
        assertEquals(0.75, Metrics.rocAuc(scores, positive).getAsDouble(), 1e-12);
        assertEquals(
                0.5,
                Metrics.rocAuc(new double[] {1, 1}, new boolean[] {true, false}).getAsDouble(),
                1e-12);
        assertTrue(
                Metrics.rocAuc(new double[] {1, 2}, new boolean[] {true, true}).isEmpty());
    }
}
