package dev.llmrouter.evalsets;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleFunction;

/**
 * The reference routers every routing change is compared with, computed directly from the outcomes:
 * random (seeded, averaged over runs), always-cheap, always-strong, prompt length (longer goes strong) and
 * the oracle (strong exactly where it scores higher).
 */
public final class Baselines {
    /** Strong-call shares at which the random router is measured. */
    static final int RANDOM_STEPS = 50;

    private Baselines() {}

    public static CurvePoint alwaysCheap(List<PairOutcome> items) {
        return point(Double.NaN, items, new boolean[items.size()]);
    }

    public static CurvePoint alwaysStrong(List<PairOutcome> items) {
        boolean[] strong = new boolean[items.size()];
        java.util.Arrays.fill(strong, true);
        return point(Double.NaN, items, strong);
    }

    /** Longer prompts go to the strong model first. */
    public static List<CurvePoint> length(List<PairOutcome> items, int maxPoints) {
        return scored(items, PairOutcome::promptChars, maxPoints);
    }

    /** Strong where it scores higher, largest gains first: the best any router could do. */
    public static List<CurvePoint> oracle(List<PairOutcome> items, int maxPoints) {
        return scored(items, p -> p.strongScore() - p.cheapScore(), maxPoints);
    }

    /**
     * Random routing at shares 0, 1/{@value #RANDOM_STEPS}, ..., 1, each the mean of {@code runs} seeded
     * draws of which requests go strong.
     */
    public static List<CurvePoint> random(List<PairOutcome> items, long seed, int runs) {
        int n = items.size();
        double[] quality = new double[RANDOM_STEPS + 1];
        double[] cost = new double[RANDOM_STEPS + 1];
        Random random = new Random(seed);
        for (int run = 0; run < runs; run++) {
            double[] key = new double[n];
            for (int i = 0; i < n; i++) {
                key[i] = random.nextDouble();
            }
            List<CurvePoint> curve = scored(items, key, Integer.MAX_VALUE);
            for (int step = 0; step <= RANDOM_STEPS; step++) {
                CurvePoint p = curve.get((int) Math.round((double) step / RANDOM_STEPS * n));
                quality[step] += p.quality() / runs;
                cost[step] += p.costUsd() / runs;
            }
        }
        List<CurvePoint> points = new ArrayList<>();
        for (int step = 0; step <= RANDOM_STEPS; step++) {
            double share = (double) step / RANDOM_STEPS;
            points.add(new CurvePoint(share, share, quality[step], cost[step], 0));
        }
        return points;
    }

    /**
     * The curve of a router that sends the {@code k} highest-scoring requests to the strong model, for every
     * k from 0 to n (thinned to about {@code maxPoints}, always keeping both ends). Ties are broken by
     * position so the curve is deterministic.
     */
    static List<CurvePoint> scored(List<PairOutcome> items, ToDoubleFunction<PairOutcome> score, int maxPoints) {
        return scored(items, items.stream().mapToDouble(score).toArray(), maxPoints);
    }

    /** {@link #scored(List, ToDoubleFunction, int)} with the scores given, one per item. */
    static List<CurvePoint> scored(List<PairOutcome> items, double[] scores, int maxPoints) {
        int n = items.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(
                order, Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i));
        double quality = 0;
        double cost = 0;
        for (PairOutcome p : items) {
            quality += p.cheapScore();
            cost += p.cheapCost();
        }
        int stride = Math.max(1, n / Math.max(1, maxPoints));
        List<CurvePoint> points = new ArrayList<>();
        for (int k = 0; k <= n; k++) {
            if (k % stride == 0 || k == n) {
                double threshold = k == 0 ? Double.POSITIVE_INFINITY : scores[order[k - 1]];
                points.add(new CurvePoint(threshold, n == 0 ? 0 : (double) k / n, n == 0 ? 0 : quality / n, cost, 0));
            }
            if (k < n) {
                PairOutcome p = items.get(order[k]);
                quality += p.strongScore() - p.cheapScore();
                cost += p.strongCost() - p.cheapCost();
            }
        }
        return points;
    }

    static CurvePoint point(double threshold, List<PairOutcome> items, boolean[] strong) {
        double quality = 0;
        double cost = 0;
        int strongCalls = 0;
        for (int i = 0; i < items.size(); i++) {
            PairOutcome p = items.get(i);
            quality += strong[i] ? p.strongScore() : p.cheapScore();
            cost += strong[i] ? p.strongCost() : p.cheapCost();
            strongCalls += strong[i] ? 1 : 0;
        }
        int n = Math.max(1, items.size());
        return new CurvePoint(threshold, (double) strongCalls / n, quality / n, cost, 0);
    }
}
