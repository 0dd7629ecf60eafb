package dev.llmrouter.evalsets;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything an evaluation run found; {@link ReportWriter} writes it as {@code report.json},
 * {@code curve.csv}, {@code plot.png} and {@code report.html}.
 *
 * @param routers by report key: {@code router}, {@code random}, {@code always_cheap}, {@code always_strong},
 *     {@code length}, {@code oracle}
 * @param models every single model of the records with its cost and quality, and the Pareto frontier
 * @param compare the policy diff, when a second policy was given
 */
public record EvalReport(
        Meta meta,
        Map<String, RouterScore> routers,
        List<Pareto.ModelPoint> models,
        Optional<PolicyDiff.Result> compare) {

    /**
     * How the run was made.
     *
     * @param data the files read
     * @param records records in the run (with outcomes for both tiers, on the chosen split)
     * @param skipped invalid lines skipped
     * @param routes router decisions made (configured point plus every sweep point)
     * @param replaySeconds wall time of the replays and metrics, for the speed figure
     * @param classifierMicros mean time of one classification during the replay
     */
    public record Meta(
            List<String> data,
            int records,
            int skipped,
            String split,
            long seed,
            String cheap,
            String strong,
            String sweep,
            String policy,
            Optional<String> comparePolicy,
            String classifier,
            String gate,
            String costBasis,
            int routes,
            double replaySeconds,
            double classifierMicros,
            String machine) {}
}
