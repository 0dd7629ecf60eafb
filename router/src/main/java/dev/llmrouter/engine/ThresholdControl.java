package dev.llmrouter.engine;

import dev.llmrouter.policy.Route;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Holds a route's escalation rate at its {@code target_escalation_rate}: the gate threshold in force is the
 * target quantile of the gate scores of the route's last {@code control_window} answers that could escalate,
 * within the route's bounds. Escalating an answer whose score is below the threshold then escalates the target
 * share of them, whatever the cheap tier's quality does; after a shift the threshold follows as the window
 * fills with the new scores. Thread-safe; carried across policy and classifier changes with the cooldowns (a
 * route's window is kept by its name).
 */
final class ThresholdControl {
    private static final class Window {
        private double[] scores;
        private int next;
        private int count;

        Window(int size) {
            scores = new double[size];
        }

        synchronized void add(double score, int size) {
            if (scores.length != size) {
                resize(size);
            }
            scores[next] = score;
            next = (next + 1) % scores.length;
            count = Math.min(count + 1, scores.length);
        }

        private void resize(int size) {
            double[] kept = recent(Math.min(count, size));
            scores = new double[size];
            System.arraycopy(kept, 0, scores, 0, kept.length);
            count = kept.length;
            next = count % size;
        }

        /** The last {@code n} scores, oldest first. */
        private double[] recent(int n) {
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                out[i] = scores[Math.floorMod(next - n + i, scores.length)];
            }
            return out;
        }

        synchronized double quantile(double q, int minimum, double otherwise) {
            if (count < minimum) {
                return otherwise;
            }
            double[] sorted = recent(count);
            Arrays.sort(sorted);
            // the smallest t with at least a share q of the scores below it: the midpoint between neighbours
            int k = (int) Math.round(q * count);
            if (k <= 0) {
                return sorted[0];
            }
            if (k >= count) {
                return Math.nextUp(sorted[count - 1]);
            }
            return (sorted[k - 1] + sorted[k]) / 2;
        }
    }

    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** The gate threshold in force on {@code route}. */
    double threshold(Route route) {
        Route.Cascade cascade = route.cascade();
        if (cascade.hold().isEmpty()) {
            return cascade.gateThreshold();
        }
        Route.Cascade.Hold hold = cascade.hold().get();
        double start = clamp(cascade.gateThreshold(), hold);
        Window w = windows.get(route.name());
        if (w == null) {
            return start;
        }
        return clamp(w.quantile(hold.target(), Math.max(20, hold.window() / 4), start), hold);
    }

    /** Records the gate score of an answer on {@code route} that could have escalated. */
    void observe(Route route, double score) {
        route.cascade().hold().ifPresent(hold -> windows.computeIfAbsent(route.name(), n -> new Window(hold.window()))
                .add(score, hold.window()));
    }

    private static double clamp(double t, Route.Cascade.Hold hold) {
        return Math.max(hold.min(), Math.min(hold.max(), t));
    }
}
