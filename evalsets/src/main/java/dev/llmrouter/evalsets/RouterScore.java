package dev.llmrouter.evalsets;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One router's results in a report. Single figures of a swept router are read at its operating point:
 * the configured policy's own point for the router, the point at the router's strong-call share for the
 * swept baselines, so every row of a table compares routers at the same budget.
 *
 * @param apgr average performance gap recovered (empty when cheap and strong tie)
 * @param apgrInterval the router's: its APGR's 95% bootstrap interval over the records ({@code [low, high]});
 *     empty for the baselines
 * @param cpt call-performance thresholds, keyed {@code "50"}, {@code "80"}, {@code "95"}
 * @param auc ROC AUC of the router's score at finding requests the strong model does better on
 * @param qualityPerDollar mean quality divided by mean cost per request: quality bought per USD
 */
public record RouterScore(
        Optional<Double> apgr,
        Optional<List<Double>> apgrInterval,
        Map<String, Optional<Double>> cpt,
        Optional<Double> auc,
        double quality,
        double costUsd,
        double strongShare,
        double escalationRate,
        Optional<Double> qualityPerDollar,
        Map<String, Segment> segments,
        List<CurvePoint> curve) {

    /**
     * What a successful task costs: the mean cost of a request over the mean quality (a success counts 1, a
     * graded answer its grade), every call of the request included; the inverse of quality per dollar.
     */
    @com.fasterxml.jackson.annotation.JsonProperty("cost_per_successful_task_usd")
    public Optional<Double> costPerSuccessfulTaskUsd() {
        return qualityPerDollar.filter(q -> q > 0).map(q -> 1 / q);
    }

    /** The same figures within one category. */
    public record Segment(int records, Optional<Double> apgr, double quality, double costUsd, double strongShare) {}
}
