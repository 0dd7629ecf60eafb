package dev.llmrouter.evalsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The bounds against closed forms, and the guarantee itself on simulated losses whose truth is known. */
class RiskControlTest {
    @Test
    void clopperPearsonMatchesItsClosedFormsAtTheEdges() {
        // no success in n: the upper bound solves (1 - p)^n = a; n in n: the lower bound solves p^n = a
        assertEquals(1 - Math.pow(0.05, 1.0 / 10), RiskControl.clopperPearsonUpper(0, 10, 0.05), 1e-9);
        assertEquals(Math.pow(0.05, 1.0 / 10), RiskControl.clopperPearsonLower(10, 10, 0.05), 1e-9);
        assertEquals(1.0, RiskControl.clopperPearsonUpper(10, 10, 0.05));
        assertEquals(0.0, RiskControl.clopperPearsonLower(0, 10, 0.05));
        // P(Bin(4, 0.5) <= 1) = 5/16
        assertEquals(5.0 / 16, RiskControl.binomialCdf(1, 4, 0.5), 1e-12);
        double upper = RiskControl.clopperPearsonUpper(30, 1000, 0.025);
        assertTrue(upper > 0.03 && upper < 0.045, String.valueOf(upper));
        assertEquals(0.025, RiskControl.binomialCdf(30, 1000, upper), 1e-6);
    }

    /** Settings whose routed answer loses a record with probability 0.004 k and never wins one. */
    static List<RiskControl.Setting> settings(Random random, int n) {
        List<RiskControl.Setting> out = new ArrayList<>();
        for (int k = 0; k < 12; k++) {
            double[] loss = new double[n];
            boolean[] strong = new boolean[n];
            for (int i = 0; i < n; i++) {
                loss[i] = random.nextDouble() < 0.004 * k ? 1 : 0;
                strong[i] = random.nextDouble() < 1 - k / 12.0;
            }
            out.add(new RiskControl.Setting(k, loss, strong, new double[n]));
        }
        return out;
    }

    @Test
    void theChosenSettingLosesMoreThanTheTargetAtMostDeltaOfTheTime() {
        // true losses 0, 0.004, ..., 0.044: with a target of 0.02 the settings up to k = 5 are safe
        Random random = new Random(11);
        int runs = 400;
        int violations = 0;
        int chosenSum = 0;
        for (int run = 0; run < runs; run++) {
            List<RiskControl.Setting> ordered = settings(random, 2000);
            int[] all = IntStream.range(0, 2000).toArray();
            int k = RiskControl.certified(ordered, all, true, 0.02, 0.1);
            double trueLoss = k == 0 ? 0 : 0.004 * (k - 1);
            violations += trueLoss > 0.02 ? 1 : 0;
            chosenSum += k;
        }
        assertTrue(violations <= 0.1 * runs, violations + " of " + runs);
        // and it is not vacuous: it certifies some of the cheaper settings on average
        assertTrue(chosenSum / (double) runs > 2, String.valueOf(chosenSum / (double) runs));
    }

    @Test
    void hoeffdingCoversScoresBetweenZeroAndOne() {
        RiskControl.Bounds bounds = new RiskControl.Bounds(false, 0.05);
        double upper = bounds.upper(0.01, 0, 0, 1000);
        assertEquals(0.01 + 2 * Math.sqrt(Math.log(20) / 2000), upper, 1e-12);
    }
}
