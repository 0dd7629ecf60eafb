package dev.llmrouter.engine;

import dev.llmrouter.policy.Route;
import java.util.Arrays;

/**
 * Holds a route's escalation rate at its {@code target_escalation_rate}: the gate threshold in force is the
 * target quantile of the gate scores of the route's last {@code control_window} answers that could escalate,
 * within the route's bounds. Escalating an answer whose score is below the threshold then escalates the target
 * share of them, whatever the cheap tier's quality does; after a shift the threshold follows as the window
 * fills with the new scores. The window lives in the router's {@link RouterState}, so replicas sharing one
 * control one rate together; it is carried across policy and classifier changes (a route's window is kept by its
 * name).
 */
final class ThresholdControl {
    private final RouterState state;

    ThresholdControl(RouterState state) {
        this.state = state;
    }

    /** The gate threshold in force on {@code route}. */
    double threshold(Route route) {
        Route.Cascade cascade = route.cascade();
        if (cascade.hold().isEmpty()) {
            return cascade.gateThreshold();
        }
        Route.Cascade.Hold hold = cascade.hold().get();
        double start = clamp(cascade.gateThreshold(), hold);
        double[] scores = state.recent(route.name(), hold.window());
        if (scores.length < Math.max(20, hold.window() / 4)) {
            return start;
        }
        return clamp(quantile(scores, hold.target()), hold);
    }

    /** The smallest t with at least a share q of the scores below it: the midpoint between neighbours. */
    static double quantile(double[] scores, double q) {
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        int count = sorted.length;
        int k = (int) Math.round(q * count);
        if (k <= 0) {
            return sorted[0];
        }
        if (k >= count) {
            return Math.nextUp(sorted[count - 1]);
        }
        return (sorted[k - 1] + sorted[k]) / 2;
    }

    /** Records the gate score of an answer on {@code route} that could have escalated. */
    void observe(Route route, double score) {
        route.cascade().hold().ifPresent(hold -> state.observe(route.name(), score, hold.window()));
    }

    private static double clamp(double t, Route.Cascade.Hold hold) {
        return Math.max(hold.min(), Math.min(hold.max(), t));
    }
}
