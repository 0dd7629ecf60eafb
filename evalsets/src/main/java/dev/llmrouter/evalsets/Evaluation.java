package dev.llmrouter.evalsets;

import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.Route;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Runs one evaluation: the configured router at its own operating point, the same router swept over its
 * threshold through the real decision path, and the baselines, each scored with the same metrics overall
 * and per category.
 */
public final class Evaluation {
    /** Which threshold the sweep moves. */
    public enum Sweep {
        /**
         * The routes' quality gap, with no floor: before any call, the strong model serves when its predicted
         * success exceeds the cheap model's by more than the gap (a ranking by predicted gain).
         */
        GAP,
        /** The routes' quality floor: before any call, the strong model serves when the cheap one's falls below. */
        FLOOR,
        /** The gate threshold of a cascade that always starts cheap. */
        GATE;

        /** The sweep of this name, as {@code --sweep} takes it: gap, floor or gate. */
        public static Sweep named(String name) {
            for (Sweep s : values()) {
                if (s.name().toLowerCase(java.util.Locale.ROOT).equals(name)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("--sweep: expected gap, floor or gate, got '" + name + "'");
        }
    }

    /** @param points thresholds in the sweep (more gives a finer curve and a slower run) */
    public record Options(Sweep sweep, int points, long seed, int randomRuns) {
        public static final Options DEFAULT = new Options(Sweep.GAP, 40, 42, 20);
    }

    /** The routers of a run, by report key, in report order. */
    public record Result(Map<String, RouterScore> routers, List<Decision> configured, int routes) {}

    private Evaluation() {}

    public static Result run(Replay replay, Policy policy, Options options) {
        List<PairOutcome> items = replay.outcomes();
        List<Decision> configured = replay.run(policy);
        List<Double> thresholds = thresholds(replay, policy, options.sweep(), options.points(), configured);
        List<List<Decision>> sweep = new ArrayList<>();
        for (double t : thresholds) {
            sweep.add(replay.run(variant(policy, options.sweep(), t)));
        }
        Map<String, RouterScore> routers = new LinkedHashMap<>();
        CurvePoint cheap = Baselines.alwaysCheap(items);
        CurvePoint strong = Baselines.alwaysStrong(items);
        RouterScore router = routerScore(items, configured, thresholds, sweep, options.sweep(), cheap, strong);
        routers.put("router", router);
        double share = router.strongShare();
        routers.put(
                "random",
                swept(
                        items,
                        cheap,
                        strong,
                        share,
                        Optional.empty(),
                        sub -> Baselines.random(sub, options.seed(), options.randomRuns())));
        routers.put("always_cheap", fixed(items, cheap, strong, false));
        routers.put("always_strong", fixed(items, cheap, strong, true));
        routers.put(
                "length",
                swept(
                        items,
                        cheap,
                        strong,
                        share,
                        auc(
                                items,
                                items.stream()
                                        .mapToDouble(PairOutcome::promptChars)
                                        .toArray()),
                        sub -> Baselines.length(sub, 200)));
        double[] knn = KnnBaseline.scores(replay.records(), items, options.seed());
        java.util.IdentityHashMap<PairOutcome, Double> knnOf = new java.util.IdentityHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            knnOf.put(items.get(i), knn[i]);
        }
        routers.put(
                "knn",
                swept(
                        items,
                        cheap,
                        strong,
                        share,
                        auc(items, knn),
                        sub -> Baselines.scored(
                                sub, sub.stream().mapToDouble(knnOf::get).toArray(), 200)));
        bestSingle(replay).ifPresent(best -> routers.put("best_single", best));
        routers.put(
                "oracle",
                swept(
                        items,
                        cheap,
                        strong,
                        share,
                        auc(
                                items,
                                items.stream()
                                        .mapToDouble(p -> p.strongScore() - p.cheapScore())
                                        .toArray()),
                        sub -> Baselines.oracle(sub, 200)));
        return new Result(routers, configured, (thresholds.size() + 1) * items.size());
    }

    /**
     * The single model of the records with the highest mean score over every record of the run (any model
     * the records hold, not only the pair), as one fixed point: what routing nothing at all, to the best model
     * there is, would give. Its cost is its recorded or listed one; 0 when it has neither (see the report's
     * models table).
     */
    private static Optional<RouterScore> bestSingle(Replay replay) {
        List<LabelledRecord> records = replay.records();
        Map<String, double[]> sums = new TreeMap<>();
        for (LabelledRecord r : records) {
            r.outcomes().forEach((m, o) -> {
                double[] s = sums.computeIfAbsent(m, k -> new double[3]);
                s[0] += o.score();
                s[1]++;
                s[2] += replay.pair().costOf(m, r);
            });
        }
        List<PairOutcome> items = replay.outcomes();
        CurvePoint cheap = Baselines.alwaysCheap(items);
        CurvePoint strong = Baselines.alwaysStrong(items);
        return sums.entrySet().stream()
                .filter(e -> e.getValue()[1] == records.size())
                .max(java.util.Comparator.comparingDouble((Map.Entry<String, double[]> e) -> e.getValue()[0])
                        .thenComparing(Map.Entry::getKey))
                .map(e -> {
                    double[] s = e.getValue();
                    double quality = s[0] / records.size();
                    boolean isStrong = e.getKey().equals(replay.pair().strong());
                    CurvePoint at = new CurvePoint(Double.NaN, isStrong ? 1 : 0, quality, s[2], 0);
                    return new RouterScore(
                            box(Metrics.pgr(quality, cheap.quality(), strong.quality())),
                            Optional.empty(),
                            Map.of("50", Optional.empty(), "80", Optional.empty(), "95", Optional.empty()),
                            Optional.empty(),
                            quality,
                            s[2],
                            at.strongShare(),
                            0,
                            perDollar(at, records.size()),
                            Map.of(),
                            List.of(at));
                });
    }

    /** Thresholds that spread the sweep evenly over the scores the router actually produced. */
    static List<Double> thresholds(Replay replay, Policy policy, Sweep sweep, int points, List<Decision> configured) {
        double[] scores;
        if (sweep == Sweep.GAP) {
            scores = configured.stream().mapToDouble(Decision::predictedGain).toArray();
        } else if (sweep == Sweep.FLOOR) {
            scores = configured.stream().mapToDouble(d -> 1 - d.difficulty()).toArray();
        } else {
            List<Decision> ungated = replay.run(variant(policy, Sweep.GATE, 0.0));
            scores = ungated.stream()
                    .map(Decision::cheapGateScore)
                    .flatMap(Optional::stream)
                    .mapToDouble(Double::doubleValue)
                    .toArray();
        }
        Arrays.sort(scores);
        TreeSet<Double> values = new TreeSet<>(List.of(0.0, 1.0000001));
        for (int i = 1; i < points; i++) {
            if (scores.length > 0) {
                values.add(scores[Math.min(scores.length - 1, (int) ((long) i * scores.length / points))]);
            }
        }
        return List.copyOf(values);
    }

    /** The policy with every route's cascade set as {@code sweep} sets it at {@code threshold}. */
    public static Policy variant(Policy policy, Sweep sweep, double threshold) {
        return switch (sweep) {
            case GAP ->
                Replay.variant(
                        policy,
                        "gap=" + threshold,
                        c -> new Route.Cascade(
                                c.enabled(),
                                0.0,
                                threshold,
                                c.gateThreshold(),
                                c.maxEscalations(),
                                c.streaming(),
                                c.onEscalationFailure(),
                                c.unfamiliarBelow()));
            case FLOOR ->
                Replay.variant(
                        policy,
                        "floor=" + threshold,
                        c -> new Route.Cascade(
                                c.enabled(),
                                threshold,
                                c.qualityGap(),
                                c.gateThreshold(),
                                c.maxEscalations(),
                                c.streaming(),
                                c.onEscalationFailure(),
                                c.unfamiliarBelow()));
            case GATE ->
                Replay.variant(
                        policy,
                        "gate=" + threshold,
                        c -> new Route.Cascade(
                                true,
                                0.0,
                                1.0,
                                threshold,
                                Math.max(1, c.maxEscalations()),
                                c.streaming(),
                                c.onEscalationFailure(),
                                c.unfamiliarBelow()));
        };
    }

    private static RouterScore routerScore(
            List<PairOutcome> items,
            List<Decision> configured,
            List<Double> thresholds,
            List<List<Decision>> sweep,
            Sweep kind,
            CurvePoint cheap,
            CurvePoint strong) {
        List<CurvePoint> curve = new ArrayList<>();
        for (int i = 0; i < thresholds.size(); i++) {
            curve.add(point(thresholds.get(i), sweep.get(i), all(items.size())));
        }
        CurvePoint at = point(Double.NaN, configured, all(items.size()));
        Map<String, RouterScore.Segment> segments = new TreeMap<>();
        for (Map.Entry<String, int[]> segment : segmentMasks(items).entrySet()) {
            int[] mask = segment.getValue();
            List<PairOutcome> sub = select(items, mask);
            List<CurvePoint> subCurve = new ArrayList<>();
            for (int i = 0; i < thresholds.size(); i++) {
                subCurve.add(point(thresholds.get(i), sweep.get(i), mask));
            }
            CurvePoint subAt = point(Double.NaN, configured, mask);
            segments.put(segment.getKey(), segmentOf(sub, subCurve, subAt));
        }
        // the score the sweep ranks records by: predicted gain for the gap, else difficulty
        double[] difficulty = configured.stream()
                .mapToDouble(kind == Sweep.GAP ? Decision::predictedGain : Decision::difficulty)
                .toArray();
        return new RouterScore(
                box(Metrics.apgr(curve, cheap.quality(), strong.quality())),
                apgrInterval(items, thresholds, sweep),
                cpt(curve, cheap, strong),
                auc(items, difficulty),
                at.quality(),
                at.costUsd(),
                at.strongShare(),
                at.escalationRate(),
                perDollar(at, items.size()),
                segments,
                curve);
    }

    private static RouterScore swept(
            List<PairOutcome> items,
            CurvePoint cheap,
            CurvePoint strong,
            double share,
            Optional<Double> auc,
            Function<List<PairOutcome>, List<CurvePoint>> curveOf) {
        List<CurvePoint> curve = curveOf.apply(items);
        CurvePoint at = atShare(curve, share);
        Map<String, RouterScore.Segment> segments = new TreeMap<>();
        for (Map.Entry<String, int[]> segment : segmentMasks(items).entrySet()) {
            List<PairOutcome> sub = select(items, segment.getValue());
            List<CurvePoint> subCurve = curveOf.apply(sub);
            CurvePoint subAt = atShare(subCurve, share);
            segments.put(segment.getKey(), segmentOf(sub, subCurve, subAt));
        }
        return new RouterScore(
                box(Metrics.apgr(curve, cheap.quality(), strong.quality())),
                Optional.empty(),
                cpt(curve, cheap, strong),
                auc,
                at.quality(),
                at.costUsd(),
                at.strongShare(),
                0,
                perDollar(at, items.size()),
                segments,
                curve);
    }

    private static RouterScore fixed(List<PairOutcome> items, CurvePoint cheap, CurvePoint strong, boolean toStrong) {
        CurvePoint at = toStrong ? strong : cheap;
        Map<String, RouterScore.Segment> segments = new TreeMap<>();
        for (Map.Entry<String, int[]> segment : segmentMasks(items).entrySet()) {
            List<PairOutcome> sub = select(items, segment.getValue());
            CurvePoint p = toStrong ? Baselines.alwaysStrong(sub) : Baselines.alwaysCheap(sub);
            segments.put(
                    segment.getKey(),
                    new RouterScore.Segment(
                            sub.size(), Optional.of(toStrong ? 1.0 : 0.0), p.quality(), p.costUsd(), p.strongShare()));
        }
        return new RouterScore(
                box(Metrics.pgr(at.quality(), cheap.quality(), strong.quality())),
                Optional.empty(),
                Map.of(
                        "50",
                        Optional.of(toStrong ? 1.0 : 0.0),
                        "80",
                        Optional.of(toStrong ? 1.0 : 0.0),
                        "95",
                        Optional.of(toStrong ? 1.0 : 0.0)),
                Optional.empty(),
                at.quality(),
                at.costUsd(),
                at.strongShare(),
                0,
                perDollar(at, items.size()),
                segments,
                List.of(at));
    }

    /** The point of a curve at a strong-call share, interpolating linearly between its neighbours. */
    static CurvePoint atShare(List<CurvePoint> curve, double share) {
        List<CurvePoint> sorted = curve.stream()
                .sorted(java.util.Comparator.comparingDouble(CurvePoint::strongShare))
                .toList();
        CurvePoint below = sorted.getFirst();
        for (CurvePoint p : sorted) {
            if (p.strongShare() >= share) {
                double span = p.strongShare() - below.strongShare();
                double t = span <= 0 ? 0 : (share - below.strongShare()) / span;
                return new CurvePoint(
                        Double.NaN,
                        share,
                        below.quality() + t * (p.quality() - below.quality()),
                        below.costUsd() + t * (p.costUsd() - below.costUsd()),
                        0);
            }
            below = p;
        }
        return sorted.getLast();
    }

    /** The decisions' point, each record counted {@code counts[i]} times (0: left out). */
    private static CurvePoint point(double threshold, List<Decision> decisions, int[] counts) {
        int n = 0;
        int strong = 0;
        int escalated = 0;
        double quality = 0;
        double cost = 0;
        for (int i = 0; i < decisions.size(); i++) {
            int k = counts[i];
            if (k == 0) {
                continue;
            }
            Decision d = decisions.get(i);
            n += k;
            strong += d.strongCalled() ? k : 0;
            escalated += d.escalated() ? k : 0;
            quality += k * d.quality();
            cost += k * d.costUsd();
        }
        int denominator = Math.max(1, n);
        return new CurvePoint(
                threshold,
                (double) strong / denominator,
                quality / denominator,
                cost,
                (double) escalated / denominator);
    }

    private static Map<String, Optional<Double>> cpt(List<CurvePoint> curve, CurvePoint cheap, CurvePoint strong) {
        Map<String, Optional<Double>> cpt = new LinkedHashMap<>();
        for (int target : new int[] {50, 80, 95}) {
            cpt.put(
                    Integer.toString(target),
                    box(Metrics.cpt(curve, cheap.quality(), strong.quality(), target / 100.0)));
        }
        return cpt;
    }

    private static Optional<Double> auc(List<PairOutcome> items, double[] scores) {
        boolean[] labels = new boolean[items.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = items.get(i).strongBetter();
        }
        return box(Metrics.rocAuc(scores, labels));
    }

    private static Map<String, int[]> segmentMasks(List<PairOutcome> items) {
        Map<String, int[]> masks = new TreeMap<>();
        for (int i = 0; i < items.size(); i++) {
            masks.computeIfAbsent(items.get(i).segment(), k -> new int[items.size()])[i] = 1;
        }
        return masks;
    }

    /** The items, each {@code counts[i]} times. */
    private static List<PairOutcome> select(List<PairOutcome> items, int[] counts) {
        List<PairOutcome> sub = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            for (int k = 0; k < counts[i]; k++) {
                sub.add(items.get(i));
            }
        }
        return sub;
    }

    private static int[] all(int n) {
        int[] counts = new int[n];
        Arrays.fill(counts, 1);
        return counts;
    }

    /** Resamples of the records {@link #apgrInterval} draws. */
    public static final int BOOTSTRAP_RESAMPLES = 200;

    /**
     * The router's APGR's 95% bootstrap interval: the 2.5th and 97.5th percentiles of its APGR over
     * {@link #BOOTSTRAP_RESAMPLES} resamples of the records drawn with replacement (a fixed seed, so a run
     * repeats), each resample's curve and always-cheap and always-strong qualities its own. How far two
     * figures on the same records may differ by the sample alone; empty where a resample has no gap.
     */
    static Optional<List<Double>> apgrInterval(
            List<PairOutcome> items, List<Double> thresholds, List<List<Decision>> sweep) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(BOOTSTRAP_SEED);
        double[] apgr = new double[BOOTSTRAP_RESAMPLES];
        int[] counts = new int[items.size()];
        for (int b = 0; b < apgr.length; b++) {
            Arrays.fill(counts, 0);
            for (int i = 0; i < counts.length; i++) {
                counts[random.nextInt(counts.length)]++;
            }
            List<PairOutcome> resample = select(items, counts);
            List<CurvePoint> curve = new ArrayList<>();
            for (int i = 0; i < thresholds.size(); i++) {
                curve.add(point(thresholds.get(i), sweep.get(i), counts));
            }
            java.util.OptionalDouble a = Metrics.apgr(
                    curve,
                    Baselines.alwaysCheap(resample).quality(),
                    Baselines.alwaysStrong(resample).quality());
            if (a.isEmpty()) {
                return Optional.empty();
            }
            apgr[b] = a.getAsDouble();
        }
        Arrays.sort(apgr);
        return Optional.of(List.of(
                apgr[(int) Math.floor(0.025 * (apgr.length - 1))], apgr[(int) Math.ceil(0.975 * (apgr.length - 1))]));
    }

    private static final long BOOTSTRAP_SEED = 42;

    private static RouterScore.Segment segmentOf(List<PairOutcome> sub, List<CurvePoint> subCurve, CurvePoint subAt) {
        return new RouterScore.Segment(
                sub.size(),
                box(Metrics.apgr(
                        subCurve,
                        Baselines.alwaysCheap(sub).quality(),
                        Baselines.alwaysStrong(sub).quality())),
                subAt.quality(),
                subAt.costUsd(),
                subAt.strongShare());
    }

    private static Optional<Double> perDollar(CurvePoint p, int records) {
        double perRequest = p.costUsd() / Math.max(1, records);
        return perRequest > 0 ? Optional.of(p.quality() / perRequest) : Optional.empty();
    }

    static Optional<Double> box(OptionalDouble value) {
        return value.isPresent() ? Optional.of(value.getAsDouble()) : Optional.empty();
    }
}
