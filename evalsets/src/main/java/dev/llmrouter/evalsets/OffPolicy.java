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
