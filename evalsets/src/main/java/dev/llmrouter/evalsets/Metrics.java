package dev.llmrouter.evalsets;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The field's routing metrics, as RouteLLM defines them (definitions in {@code evalsets/README.md}).
 * Pure functions over curves and scores.
 */
public final class Metrics {
    private Metrics() {}

    /**
     * Performance gap recovered: where {@code quality} sits between always-cheap (0) and always-strong (1).
     * Empty when the two are equal and there is no gap to recover.
     */
    public static OptionalDouble pgr(double quality, double cheapQuality, double strongQuality) {
        double gap = strongQuality - cheapQuality;
        if (Math.abs(gap) < 1e-12) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of((quality - cheapQuality) / gap);
    }

    /**
     * Average performance gap recovered: the area under PGR as a function of the strong-call share, from
     * share 0 to 1, with the curve anchored at always-cheap (0, 0) and always-strong (1, 1) and linear
     * between points. A random router scores 0.5.
     */
    public static OptionalDouble apgr(List<CurvePoint> curve, double cheapQuality, double strongQuality) {
        List<double[]> points = pgrPoints(curve, cheapQuality, strongQuality);
        if (points.isEmpty()) {
            return OptionalDouble.empty();
        }
        double area = 0;
        for (int i = 1; i < points.size(); i++) {
            double[] a = points.get(i - 1);
            double[] b = points.get(i);
            area += (b[0] - a[0]) * (a[1] + b[1]) / 2;
        }
        return OptionalDouble.of(area);
    }

    /**
     * Call-performance threshold: the smallest strong-call share at which the curve recovers {@code target}
     * (0.5 for CPT(50%)) of the gap, interpolating linearly between points. Empty when there is no gap.
     */
    public static OptionalDouble cpt(List<CurvePoint> curve, double cheapQuality, double strongQuality, double target) {
        List<double[]> points = pgrPoints(curve, cheapQuality, strongQuality);
        if (points.isEmpty()) {
            return OptionalDouble.empty();
        }
        if (points.getFirst()[1] >= target) {
            return OptionalDouble.of(points.getFirst()[0]);
        }
        for (int i = 1; i < points.size(); i++) {
            double[] a = points.get(i - 1);
            double[] b = points.get(i);
            if (b[1] >= target) {
                double t = b[1] == a[1] ? 0 : (target - a[1]) / (b[1] - a[1]);
                return OptionalDouble.of(a[0] + t * (b[0] - a[0]));
            }
        }
        return OptionalDouble.of(1.0);
    }

    /** (share, pgr) pairs sorted by share, anchored at (0, 0) and (1, 1); points at one share are averaged. */
    private static List<double[]> pgrPoints(List<CurvePoint> curve, double cheapQuality, double strongQuality) {
        if (pgr(0, cheapQuality, strongQuality).isEmpty()) {
            return List.of();
        }
        List<double[]> raw = new ArrayList<>();
        raw.add(new double[] {0, 0});
        for (CurvePoint p : curve) {
            raw.add(new double[] {
                p.strongShare(), pgr(p.quality(), cheapQuality, strongQuality).getAsDouble()
            });
        }
        raw.add(new double[] {1, 1});
        raw.sort(Comparator.comparingDouble(p -> p[0]));
        List<double[]> merged = new ArrayList<>();
        int i = 0;
        while (i < raw.size()) {
            int j = i;
            double sum = 0;
            while (j < raw.size() && Math.abs(raw.get(j)[0] - raw.get(i)[0]) < 1e-12) {
                sum += raw.get(j)[1];
                j++;
            }
            merged.add(new double[] {raw.get(i)[0], sum / (j - i)});
            i = j;
        }
        return merged;
    }

    /**
     * ROC AUC of a score at ranking positives above negatives (ties count one half); empty when either
     * class is missing.
     */
    public static OptionalDouble rocAuc(double[] scores, boolean[] positive) {
        if (scores.length != positive.length) {
            throw new IllegalArgumentException("scores and labels differ in length");
        }
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
        double rankSum = 0;
        long positives = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j < order.length && scores[order[j]] == scores[order[i]]) {
                j++;
            }
            double averageRank = (i + 1 + j) / 2.0;
            for (int k = i; k < j; k++) {
                if (positive[order[k]]) {
                    rankSum += averageRank;
                    positives++;
                }
            }
            i = j;
        }
        long negatives = scores.length - positives;
        if (positives == 0 || negatives == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of((rankSum - positives * (positives + 1) / 2.0) / (positives * (double) negatives));
    }
}
