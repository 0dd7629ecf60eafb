package dev.llmrouter.training;

import dev.llmrouter.features.ModelCard;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How well predicted probabilities match outcomes, and the thresholds that hit a target strong-call share. */
public final class Calibration {
    private Calibration() {}

    /** The reliability diagram over {@code bins} equal-width bins of the predicted probability (empty bins left out). */
    public static List<ModelCard.ReliabilityBin> reliability(double[] p, boolean[] actual, int bins) {
        double[] sumP = new double[bins];
        double[] sumY = new double[bins];
        int[] count = new int[bins];
        for (int i = 0; i < p.length; i++) {
            int b = Math.min(bins - 1, (int) (p[i] * bins));
            sumP[b] += p[i];
            sumY[b] += actual[i] ? 1 : 0;
            count[b]++;
        }
        List<ModelCard.ReliabilityBin> out = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            if (count[b] > 0) {
                out.add(new ModelCard.ReliabilityBin(
                        (double) b / bins, (double) (b + 1) / bins, count[b], sumP[b] / count[b], sumY[b] / count[b]));
            }
        }
        return out;
    }

    /** Expected calibration error: the mean |confidence - accuracy| over the bins, weighted by their rows. */
    public static double expectedCalibrationError(List<ModelCard.ReliabilityBin> bins) {
        long n = bins.stream().mapToLong(ModelCard.ReliabilityBin::count).sum();
        double ece = 0;
        for (ModelCard.ReliabilityBin b : bins) {
            ece += b.count() * Math.abs(b.predicted() - b.observed()) / n;
        }
        return ece;
    }

    static double mean(boolean[] values) {
        int n = 0;
        for (boolean v : values) {
            n += v ? 1 : 0;
        }
        return values.length == 0 ? 0 : (double) n / values.length;
    }

    /**
     * The quality floor that sends about {@code share} of requests to a stronger tier: a request goes up
     * when its predicted success is below the floor, so the floor is the {@code share} quantile.
     */
    static Map<String, Double> floorsForStrongShare(double[] p, double[] shares) {
        double[] sorted = p.clone();
        Arrays.sort(sorted);
        Map<String, Double> floors = new LinkedHashMap<>();
        for (double share : shares) {
            int index = Math.min(sorted.length - 1, Math.max(0, (int) Math.round(share * sorted.length)));
            floors.put(String.format(Locale.ROOT, "quality_floor_for_strong_share_%.2f", share), sorted[index]);
        }
        return floors;
    }
}
