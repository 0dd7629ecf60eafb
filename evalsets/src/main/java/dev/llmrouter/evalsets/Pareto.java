package dev.llmrouter.evalsets;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every single model of multi-model records as a (cost, quality) point, and which of them lie on the
 * cost-quality Pareto frontier: no other model is both cheaper and at least as good.
 */
public final class Pareto {
    private Pareto() {}

    /**
     * @param costPer1k mean cost of 1,000 requests, empty when the model could not be priced
     * @param onFrontier whether no other priced model is cheaper and at least as good
     */
    public record ModelPoint(
            String model, int records, double quality, java.util.Optional<Double> costPer1k, boolean onFrontier) {}

    public static List<ModelPoint> of(List<LabelledRecord> records, Pricing pricing) {
        Set<String> models = new TreeSet<>();
        records.forEach(r -> models.addAll(r.outcomes().keySet()));
        List<ModelPoint> points = new ArrayList<>();
        for (String model : models) {
            int n = 0;
            double quality = 0;
            double cost = 0;
            boolean priced = true;
            for (LabelledRecord r : records) {
                LabelledRecord.Outcome o = r.outcomes().get(model);
                if (o == null) {
                    continue;
                }
                n++;
                quality += o.score();
                java.util.Optional<Double> c = pricing.costOf(model, r);
                priced &= c.isPresent();
                cost += c.orElse(0.0);
            }
            points.add(new ModelPoint(
                    model,
                    n,
                    quality / Math.max(1, n),
                    priced ? java.util.Optional.of(cost / Math.max(1, n) * 1000) : java.util.Optional.empty(),
                    false));
        }
        List<ModelPoint> priced = points.stream()
                .filter(p -> p.costPer1k().isPresent())
                .sorted(Comparator.comparingDouble(
                                (ModelPoint p) -> p.costPer1k().get())
                        .thenComparing(
                                Comparator.comparingDouble(ModelPoint::quality).reversed()))
                .toList();
        Set<String> frontier = new TreeSet<>();
        double best = Double.NEGATIVE_INFINITY;
        for (ModelPoint p : priced) {
            if (p.quality() > best) {
                frontier.add(p.model());
                best = p.quality();
            }
        }
        return points.stream()
                .map(p -> new ModelPoint(
                        p.model(), p.records(), p.quality(), p.costPer1k(), frontier.contains(p.model())))
                .toList();
    }
}
