package dev.llmrouter.evalsets;

import dev.llmrouter.policy.Policy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Thresholds with a guarantee: the cheapest setting of one threshold whose quality loss against always
 * calling the strong model is, with probability at least {@code 1 - delta} over the calibration records,
 * at most {@code alpha}. Learn-then-test with fixed-sequence testing: the swept settings are ordered from
 * the most strong calls to the fewest (an order that looks at no outcome), each is tested in turn with a
 * distribution-free upper confidence bound on its loss, and the last one before the first failure is
 * chosen; testing in a fixed sequence needs no correction for the number of settings.
 *
 * <p>The loss of a record is the strong model's score minus the routed answer's. For scores of 0 and 1 the
 * bound is exact (Clopper-Pearson on the share of records the routing lost, minus its lower bound on the
 * share it won, each at {@code delta / 2}); for other scores in [0, 1] it is Hoeffding's.
 */
public final class RiskControl {
    private RiskControl() {}

    /**
     * One setting of the threshold, replayed over every record.
     *
     * @param loss strong score minus routed score, a record each
     * @param strong whether the strong model was called, a record each
     * @param cost the routed cost in USD, a record each
     */
    public record Setting(double threshold, double[] loss, boolean[] strong, double[] cost) {}

    /** A setting's figures on one side: the empirical loss and its upper bound, strong share, cost a request. */
    public record Row(double threshold, double loss, double upperBound, double strongShare, double costPerRequest) {}

    /**
     * @param rows every setting on the calibration side, in test order (most strong calls first)
     * @param tested how many settings passed before the first failure
     * @param chosen the setting chosen (the last that passed), absent when the first already failed
     * @param check the chosen setting (or always-strong) on the check side, never seen by the choice
     * @param bootstrapCoverage over resamples of the calibration side, the share of choices whose loss on
     *     the check side was at most alpha
     * @param bootstrapStrongShare their mean strong share on the check side
     * @param method the bound used
     */
    public record Result(
            List<Row> rows,
            int tested,
            Optional<Row> chosen,
            Row check,
            double bootstrapCoverage,
            double bootstrapStrongShare,
            int calibrationRecords,
            int checkRecords,
            String method) {}

    /**
     * Replays {@code policy} at each threshold of {@code sweep} (spread over the scores the router produced,
     * as {@link Evaluation} does) and calibrates on the records the seeded split puts on its train side
     * ({@code calibrationShare} of them), checking on the rest.
     */
    public static Result calibrate(
            Replay replay,
            Policy policy,
            Evaluation.Sweep sweep,
            int points,
            double alpha,
            double delta,
            double calibrationShare,
            int resamples,
            long seed) {
        if (!(alpha > 0 && alpha < 1) || !(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("the quality loss and 1 - confidence must lie between 0 and 1");
        }
        if (!(calibrationShare > 0 && calibrationShare < 1)) {
            throw new IllegalArgumentException("the calibration share must lie between 0 and 1");
        }
        List<PairOutcome> items = replay.outcomes();
        List<Decision> configured = replay.run(policy);
        List<Setting> settings = new ArrayList<>();
        for (double t : Evaluation.thresholds(replay, policy, sweep, points, configured)) {
            List<Decision> decisions = replay.run(Evaluation.variant(policy, sweep, t));
            int n = decisions.size();
            double[] loss = new double[n];
            boolean[] strong = new boolean[n];
            double[] cost = new double[n];
            for (int i = 0; i < n; i++) {
                loss[i] = items.get(i).strongScore() - decisions.get(i).quality();
                strong[i] = decisions.get(i).strongCalled();
                cost[i] = decisions.get(i).costUsd();
            }
            settings.add(new Setting(t, loss, strong, cost));
        }
        // another seed than the training split's: the records may all be on one side of that one
        Splits splits = new Splits(seed + 1, 1 - calibrationShare);
        List<LabelledRecord> records = replay.records();
        int[] calibration = IntStream.range(0, records.size())
                .filter(i -> splits.sideOf(records.get(i)) == Splits.Side.TRAIN)
                .toArray();
        int[] check = IntStream.range(0, records.size())
                .filter(i -> splits.sideOf(records.get(i)) == Splits.Side.TEST)
                .toArray();
        if (calibration.length == 0 || check.length == 0) {
            throw new IllegalArgumentException("too few records to split into a calibration and a check side");
        }
        // the order of the tests depends on the predictions only: most strong calls first
        List<Setting> ordered = settings.stream()
                .sorted(Comparator.comparingDouble((Setting s) -> -share(s.strong(), calibration))
                        .thenComparingDouble(s -> -mean(s.cost(), calibration)))
                .toList();
        boolean binary = settings.stream()
                .allMatch(s -> java.util.Arrays.stream(s.loss()).allMatch(l -> l == -1 || l == 0 || l == 1));
        Bounds bounds = new Bounds(binary, delta);
        List<Row> rows = ordered.stream().map(s -> row(s, calibration, bounds)).toList();
        int tested = passed(rows, alpha);
        Optional<Row> chosen = tested == 0 ? Optional.empty() : Optional.of(rows.get(tested - 1));
        Row checked = tested == 0 ? strongOnly(check.length) : row(ordered.get(tested - 1), check, null);
        Random random = new Random(seed);
        int covered = 0;
        double strongShare = 0;
        for (int b = 0; b < resamples; b++) {
            int[] resample = new int[calibration.length];
            for (int i = 0; i < resample.length; i++) {
                resample[i] = calibration[random.nextInt(calibration.length)];
            }
            List<Row> again =
                    ordered.stream().map(s -> row(s, resample, bounds)).toList();
            int k = passed(again, alpha);
            Row realised = k == 0 ? strongOnly(check.length) : row(ordered.get(k - 1), check, null);
            covered += realised.loss() <= alpha ? 1 : 0;
            strongShare += realised.strongShare();
        }
        return new Result(
                rows,
                tested,
                chosen,
                checked,
                resamples == 0 ? Double.NaN : (double) covered / resamples,
                resamples == 0 ? Double.NaN : strongShare / resamples,
                calibration.length,
                check.length,
                binary ? "Clopper-Pearson" : "Hoeffding");
    }

    /**
     * How many of {@code ordered} pass in turn on the records {@code index}: the chosen setting is the last of
     * them (none when 0).
     */
    static int certified(List<Setting> ordered, int[] index, boolean binary, double alpha, double delta) {
        Bounds bounds = new Bounds(binary, delta);
        return passed(ordered.stream().map(s -> row(s, index, bounds)).toList(), alpha);
    }

    private static int passed(List<Row> rows, double alpha) {
        int k = 0;
        while (k < rows.size() && rows.get(k).upperBound() <= alpha) {
            k++;
        }
        return k;
    }

    private static Row strongOnly(int n) {
        return new Row(Double.NaN, 0, 0, 1, Double.NaN);
    }

    private static Row row(Setting s, int[] index, Bounds bounds) {
        int n = index.length;
        double sum = 0;
        int lost = 0;
        int won = 0;
        for (int i : index) {
            double l = s.loss()[i];
            sum += l;
            lost += l > 0 ? 1 : 0;
            won += l < 0 ? 1 : 0;
        }
        double loss = sum / n;
        double upper = bounds == null ? Double.NaN : bounds.upper(loss, lost, won, n);
        return new Row(s.threshold(), loss, upper, share(s.strong(), index), mean(s.cost(), index));
    }

    private static double share(boolean[] values, int[] index) {
        int k = 0;
        for (int i : index) {
            k += values[i] ? 1 : 0;
        }
        return (double) k / index.length;
    }

    private static double mean(double[] values, int[] index) {
        double sum = 0;
        for (int i : index) {
            sum += values[i];
        }
        return sum / index.length;
    }

    /** The upper confidence bound on a mean loss in [-1, 1]. */
    record Bounds(boolean binary, double delta) {
        double upper(double mean, int lost, int won, int n) {
            if (binary) {
                return clopperPearsonUpper(lost, n, delta / 2) - clopperPearsonLower(won, n, delta / 2);
            }
            // Hoeffding for a mean of n values with range 2
            return mean + 2 * Math.sqrt(Math.log(1 / delta) / (2.0 * n));
        }
    }

    /** The p with P(Binomial(n, p) <= k) = a: the one-sided upper bound on a share of k in n at level a. */
    static double clopperPearsonUpper(int k, int n, double a) {
        if (k >= n) {
            return 1;
        }
        double lo = (double) k / n;
        double hi = 1;
        for (int it = 0; it < 60; it++) {
            double mid = (lo + hi) / 2;
            if (binomialCdf(k, n, mid) > a) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /** The p with P(Binomial(n, p) >= k) = a: the one-sided lower bound on a share of k in n at level a. */
    static double clopperPearsonLower(int k, int n, double a) {
        if (k <= 0) {
            return 0;
        }
        double lo = 0;
        double hi = (double) k / n;
        for (int it = 0; it < 60; it++) {
            double mid = (lo + hi) / 2;
            if (1 - binomialCdf(k - 1, n, mid) > a) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return lo;
    }

    /** P(Binomial(n, p) <= k), summed in log space. */
    static double binomialCdf(int k, int n, double p) {
        if (p <= 0) {
            return 1;
        }
        if (p >= 1) {
            return k >= n ? 1 : 0;
        }
        double logP = Math.log(p);
        double logQ = Math.log1p(-p);
        double logC = 0; // log C(n, 0)
        double sum = 0;
        for (int j = 0; j <= k; j++) {
            if (j > 0) {
                logC += Math.log((double) (n - j + 1) / j);
            }
            sum += Math.exp(logC + j * logP + (n - j) * logQ);
        }
        return Math.min(1, sum);
    }
}
