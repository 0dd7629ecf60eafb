package dev.llmrouter.evalsets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How well each model does on all of a route's traffic, estimated from the router's trace logs. The naive
 * estimate, the mean of the outcomes the log shows, is biased: a cheap model is seen on what the router kept
 * down, a strong one on what it sent up. The inverse-propensity estimate weighs each logged outcome by one over
 * the probability that its model was called on that request ({@link TraceLogRecords}) and divides by every
 * request of the route, which is unbiased wherever each model had a positive probability of being called: what
 * the route's {@code explore} provides.
 */
public final class OffPolicy {
    private OffPolicy() {}

    /**
     * One model on one route.
     *
     * @param requests the route's requests in the logs
     * @param observed those with an outcome of this model
     * @param naive the mean of those outcomes
     * @param ips the inverse-propensity estimate of the model's mean outcome over all the route's requests
     * @param low the lower end of its 95% interval (normal approximation over the requests)
     * @param high the upper end
     */
    public record Estimate(
            String route,
            String model,
            int requests,
            int observed,
            double naive,
            double ips,
            double low,
            double high) {}

    /** Every route and model of the trace logs in {@code files}, by route then model. */
    public static List<Estimate> of(List<Path> files) {
        Map<String, List<TraceLogRecords.Logged>> byRoute = new TreeMap<>();
        for (Path file : files) {
            TraceLogRecords.logged(file).forEach(l -> byRoute.computeIfAbsent(l.route(), r -> new ArrayList<>())
                    .add(l));
        }
        List<Estimate> out = new ArrayList<>();
        byRoute.forEach((route, logged) -> {
            Set<String> models = new TreeSet<>();
            logged.forEach(l -> models.addAll(l.outcomes().keySet()));
            for (String model : models) {
                out.add(estimate(route, model, logged));
            }
        });
        return out;
    }

    /**
     * What a router decides for a logged request: the model it would start with, its own predicted success for
     * that model on the request (the doubly robust estimate's model), and the call's predicted cost.
     */
    public record Decision(String model, double predictedSuccess, double predictedCostUsd) {}

    /**
     * A router's quality and cost on the logged traffic, estimated off-policy: the inverse-propensity estimate
     * (the logged outcome of the model it would start with, weighted, where the log has one) and the doubly
     * robust one (its own prediction, corrected by the weighted error of that prediction where the log has an
     * outcome), each with a 95% interval, and the predicted cost.
     *
     * @param requests the logged requests with a prompt
     * @param decided those it started a model for
     * @param observed those whose start model has a logged outcome
     */
    public record RouterEstimate(
            int requests,
            int decided,
            int observed,
            double ips,
            double ipsHalfWidth,
            double doublyRobust,
            double doublyRobustHalfWidth,
            double meanCostUsd) {}

    /** Every logged request of {@code files} that kept its prompt. */
    public static List<TraceLogRecords.Logged> withPrompts(List<Path> files) {
        List<TraceLogRecords.Logged> out = new ArrayList<>();
        files.forEach(f -> TraceLogRecords.logged(f).stream()
                .filter(l -> l.prompt().isPresent())
                .forEach(out::add));
        return out;
    }

    /** The estimate of the router that decides {@code decide} (empty: it starts no model) on {@code logged}. */
    public static RouterEstimate of(
            List<TraceLogRecords.Logged> logged,
            java.util.function.Function<TraceLogRecords.Logged, java.util.Optional<Decision>> decide) {
        int n = logged.size();
        double[] ips = new double[n];
        double[] dr = new double[n];
        int decided = 0;
        int observed = 0;
        double cost = 0;
        for (int i = 0; i < n; i++) {
            TraceLogRecords.Logged l = logged.get(i);
            java.util.Optional<Decision> d = decide.apply(l);
            if (d.isEmpty()) {
                continue;
            }
            decided++;
            cost += d.get().predictedCostUsd();
            double q = d.get().predictedSuccess();
            dr[i] = q;
            LabelledRecord.Outcome o = l.outcomes().get(d.get().model());
            if (o != null) {
                observed++;
                ips[i] = o.weight() * o.score();
                dr[i] = q + o.weight() * (o.score() - q);
            }
        }
        return new RouterEstimate(
                n,
                decided,
                observed,
                mean(ips),
                halfWidth(ips),
                mean(dr),
                halfWidth(dr),
                decided == 0 ? 0 : cost / decided);
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return values.length == 0 ? Double.NaN : sum / values.length;
    }

    /** 1.96 standard errors of the mean. */
    private static double halfWidth(double[] values) {
        int n = values.length;
        if (n < 2) {
            return Double.NaN;
        }
        double m = mean(values);
        double squares = 0;
        for (double v : values) {
            squares += (v - m) * (v - m);
        }
        return 1.96 * Math.sqrt(squares / (n - 1) / n);
    }

    static Estimate estimate(String route, String model, List<TraceLogRecords.Logged> logged) {
        int n = logged.size();
        double sum = 0;
        double sumSquares = 0;
        double observedSum = 0;
        int observed = 0;
        for (TraceLogRecords.Logged l : logged) {
            LabelledRecord.Outcome o = l.outcomes().get(model);
            if (o == null) {
                continue;
            }
            double term = o.weight() * o.score();
            sum += term;
            sumSquares += term * term;
            observedSum += o.score();
            observed++;
        }
        double mean = sum / n;
        double variance = n > 1 ? Math.max(0, (sumSquares - n * mean * mean) / (n - 1)) : 0;
        double half = 1.96 * Math.sqrt(variance / n);
        return new Estimate(
                route,
                model,
                n,
                observed,
                observed == 0 ? Double.NaN : observedSum / observed,
                mean,
                mean - half,
                mean + half);
    }
}
