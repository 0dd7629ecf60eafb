package dev.llmrouter.evalsets;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What changes when the same records are routed under a second policy: how many decisions change (a
 * different model serves, or the strong model is called where it was not), by route and by category, and
 * the quality and cost deltas. The review step before a policy change ships.
 */
public final class PolicyDiff {
    private PolicyDiff() {}

    /** Counts within one route or category. */
    public record Group(int records, int changed, double qualityDelta, double costDeltaUsd) {}

    /**
     * @param changed decisions that differ
     * @param qualityDelta mean quality under B minus under A
     * @param costDeltaUsd total cost under B minus under A
     */
    public record Result(
            int records,
            int changed,
            double qualityDelta,
            double costDeltaUsd,
            Map<String, Group> byRoute,
            Map<String, Group> bySegment) {}

    public static Result compare(List<PairOutcome> items, List<Decision> a, List<Decision> b) {
        Map<String, double[]> byRoute = new TreeMap<>();
        Map<String, double[]> bySegment = new TreeMap<>();
        double[] total = new double[4];
        for (int i = 0; i < a.size(); i++) {
            Decision x = a.get(i);
            Decision y = b.get(i);
            boolean changed = !x.servedBy().equals(y.servedBy()) || x.strongCalled() != y.strongCalled();
            double[] delta = {1, changed ? 1 : 0, y.quality() - x.quality(), y.costUsd() - x.costUsd()};
            add(total, delta);
            add(
                    byRoute.computeIfAbsent(
                            x.route() + (x.route().equals(y.route()) ? "" : " -> " + y.route()), k -> new double[4]),
                    delta);
            add(bySegment.computeIfAbsent(items.get(i).segment(), k -> new double[4]), delta);
        }
        return new Result(
                (int) total[0],
                (int) total[1],
                total[2] / Math.max(1, total[0]),
                total[3],
                groups(byRoute),
                groups(bySegment));
    }

    private static void add(double[] sum, double[] delta) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += delta[i];
        }
    }

    private static Map<String, Group> groups(Map<String, double[]> sums) {
        Map<String, Group> groups = new TreeMap<>();
        sums.forEach((k, s) -> groups.put(k, new Group((int) s[0], (int) s[1], s[2] / Math.max(1, s[0]), s[3])));
        return groups;
    }
}
