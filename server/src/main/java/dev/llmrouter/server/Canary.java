package dev.llmrouter.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.Route;
import dev.llmrouter.request.Json;
import dev.llmrouter.trace.DecisionTrace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A canary: while a candidate serves its share of the traffic, the two arms (control: the live router; canary:
 * the candidate) are compared as requests and feedback arrive, on guardrails: the canary's error rate (requests
 * refused or failed) and mean feedback score not worse than control's beyond a margin, its cost per successful
 * task (all its cost over the requests served without a failed escalation) not above control's by more than a
 * share, and, per route where the candidate's cascade is on, its escalation rate inside the route's
 * {@code watch} bounds (or no further out than the live router's, where that is already outside). The test is
 * group-sequential: every {@code checkEvery} canary requests (from {@code minRequests}) each guardrail is tested
 * one-sided at level {@code alpha} divided by the number of looks up to {@code promoteAfter} (Bonferroni over the
 * looks, so the chance of a false rollback over the whole canary is at most {@code alpha} a guardrail). A
 * violation rolls the candidate back; after {@code promoteAfter} canary requests with none, it may be promoted.
 */
final class Canary {
    /** What a canary checks and when it may be promoted. */
    record Settings(
            int promoteAfter,
            int minRequests,
            double errorMargin,
            double feedbackMargin,
            double costMargin,
            boolean autoPromote,
            double alpha,
            AssignBy assignBy) {
        static final Settings DEFAULT = new Settings(500, 50, 0.02, 0.05, 0.20, false, 0.05, AssignBy.TRACE);
    }

    /**
     * What decides a request's arm: a hash of its trace id (each request on its own), of the caller's API key
     * (a team's requests all in one arm), or of the request's OpenAI {@code user} field (an end user's).
     */
    enum AssignBy {
        TRACE,
        API_KEY,
        USER
    }

    enum Arm {
        CONTROL,
        CANARY
    }

    /** Where a canary stands after a request. */
    sealed interface State {}

    record Running() implements State {}

    record Violated(List<String> reasons) implements State {}

    record Ready() implements State {}

    private static final class Stats {
        long n;
        long errors;
        double cost;
        double costSquares;
        long successes;
        double successCost;
        long feedback;
        double score;
        double scoreSquares;
        final Map<String, long[]> routes = new TreeMap<>(); // requests, escalated

        double mean(double sum, long count) {
            return count == 0 ? 0 : sum / count;
        }

        double variance(double sum, double squares, long count) {
            if (count < 2) {
                return 0;
            }
            double m = sum / count;
            return Math.max(0, (squares - count * m * m) / (count - 1));
        }
    }

    private static final int MAX_REMEMBERED = 100_000;

    private final Settings settings;
    private final Policy candidatePolicy;
    private final int checkEvery;
    private final double z;
    private final Stats control = new Stats();
    private final Stats canary = new Stats();
    private final Map<String, Arm> arms = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Arm> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };
    private State state = new Running();

    Canary(Settings settings, Policy candidatePolicy) {
        this.settings = settings;
        this.candidatePolicy = candidatePolicy;
        this.checkEvery = Math.max(10, settings.minRequests() / 2);
        int looks = Math.max(1, (int) Math.ceil(settings.promoteAfter() / (double) checkEvery));
        this.z = normalQuantile(1 - settings.alpha() / looks);
    }

    Settings settings() {
        return settings;
    }

    /** Counts a finished request of {@code arm}; returns where the canary stands. */
    synchronized State record(Arm arm, DecisionTrace trace, String outcome) {
        if (!(state instanceof Running)) {
            return state;
        }
        arms.put(trace.traceId(), arm);
        Stats s = arm == Arm.CANARY ? canary : control;
        s.n++;
        // refused (no model may serve) and failed (no model answered) are errors; a caller hanging up is not
        s.errors += outcome.equals("refused") || outcome.equals("failed") ? 1 : 0;
        s.cost += trace.totalCostUsd();
        s.costSquares += trace.totalCostUsd() * trace.totalCostUsd();
        // a successful task: served, and not the held answer of an escalation that failed
        if (outcome.equals("served") && trace.outcome() == DecisionTrace.Outcome.SERVED) {
            s.successes++;
            s.successCost += trace.totalCostUsd();
        }
        long[] route = s.routes.computeIfAbsent(trace.route().orElse("none"), r -> new long[2]);
        route[0]++;
        route[1] += trace.escalated() ? 1 : 0;
        if (arm == Arm.CANARY && canary.n >= settings.minRequests() && canary.n % checkEvery == 0) {
            List<String> violations = violations();
            if (!violations.isEmpty()) {
                state = new Violated(violations);
            } else if (canary.n >= settings.promoteAfter()) {
                state = new Ready();
            }
        }
        return state;
    }

    /** Counts a feedback score for a request of either arm. */
    synchronized void feedback(String traceId, double score) {
        Arm arm = arms.get(traceId);
        if (arm == null) {
            return;
        }
        Stats s = arm == Arm.CANARY ? canary : control;
        s.feedback++;
        s.score += score;
        s.scoreSquares += score * score;
    }

    synchronized State state() {
        return state;
    }

    /** Every guardrail the canary has crossed, significantly, at this look. */
    private List<String> violations() {
        List<String> out = new ArrayList<>();
        if (control.n > 0) {
            double pk = canary.errors / (double) canary.n;
            double pc = control.errors / (double) control.n;
            double se = Math.sqrt(pk * (1 - pk) / canary.n + pc * (1 - pc) / control.n);
            if (exceeds(pk - pc - settings.errorMargin(), se)) {
                out.add(String.format(
                        Locale.ROOT,
                        "error rate %.3f against control's %.3f (margin %.3f)",
                        pk,
                        pc,
                        settings.errorMargin()));
            }
            if (canary.successes > 0 && control.successes > 0) {
                double rk = perSuccess(canary);
                double rc = perSuccess(control);
                double bound = 1 + settings.costMargin();
                double costSe = Math.sqrt(perSuccessVariance(canary) + bound * bound * perSuccessVariance(control));
                if (exceeds(rk - rc * bound, costSe)) {
                    out.add(String.format(
                            Locale.ROOT,
                            "cost per successful task $%.6f against control's $%.6f (margin %.0f%%)",
                            rk,
                            rc,
                            100 * settings.costMargin()));
                }
            }
        }
        if (canary.feedback >= 10 && control.feedback >= 10) {
            double fk = canary.score / canary.feedback;
            double fc = control.score / control.feedback;
            double se = Math.sqrt(canary.variance(canary.score, canary.scoreSquares, canary.feedback) / canary.feedback
                    + control.variance(control.score, control.scoreSquares, control.feedback) / control.feedback);
            if (exceeds(fc - fk - settings.feedbackMargin(), se)) {
                out.add(String.format(
                        Locale.ROOT,
                        "feedback score %.3f against control's %.3f (margin %.3f)",
                        fk,
                        fc,
                        settings.feedbackMargin()));
            }
        }
        canary.routes.forEach((name, counts) -> candidatePolicy.routes().stream()
                .filter(r -> r.name().equals(name) && r.cascade().enabled())
                .findFirst()
                .filter(r -> counts[0] >= settings.minRequests())
                .ifPresent(r -> escalation(r, counts, out)));
        return out;
    }

    /**
     * A route's escalation rate must stay inside its {@code watch} bounds, or, where the live router is already
     * outside them, no further out than the live router: the candidate is judged on what it changes.
     */
    private void escalation(Route route, long[] counts, List<String> out) {
        double p = counts[1] / (double) counts[0];
        long[] live = control.routes.getOrDefault(route.name(), new long[2]);
        double c = live[0] == 0 ? Double.NaN : live[1] / (double) live[0];
        double se = Math.sqrt(p * (1 - p) / counts[0] + (live[0] == 0 ? 0 : c * (1 - c) / live[0]));
        Route.Watch w = route.watch();
        double ceiling = Double.isNaN(c) ? w.escalationCeiling() : Math.max(w.escalationCeiling(), c);
        double floor = Double.isNaN(c) ? w.escalationFloor() : Math.min(w.escalationFloor(), c);
        if (exceeds(p - ceiling, se) || exceeds(floor - p, se)) {
            out.add(String.format(
                    Locale.ROOT,
                    "route %s escalation rate %.3f outside its bounds [%.2f, %.2f]%s",
                    route.name(),
                    p,
                    w.escalationFloor(),
                    w.escalationCeiling(),
                    Double.isNaN(c) ? "" : String.format(Locale.ROOT, " (the live router: %.3f)", c)));
        }
    }

    /** An arm's cost per successful task: all its cost over its successes. */
    private static double perSuccess(Stats s) {
        return s.cost / s.successes;
    }

    /**
     * The variance of {@link #perSuccess}, a ratio of two means, by the delta method:
     * {@code (var(C) - 2 R cov(C, S) + R^2 var(S)) / (n mean(S)^2)} for cost C and success S of a request.
     */
    private static double perSuccessVariance(Stats s) {
        double n = s.n;
        double c = s.cost / n;
        double p = s.successes / n;
        double r = c / p;
        double varC = s.variance(s.cost, s.costSquares, s.n);
        double varS = p * (1 - p);
        double cov = s.successCost / n - c * p;
        return Math.max(0, (varC - 2 * r * cov + r * r * varS) / (n * p * p));
    }

    /** Whether {@code excess} is above 0 by more than the look's z standard errors. */
    private boolean exceeds(double excess, double se) {
        return excess > 0 && excess > z * Math.max(se, 1e-12);
    }

    synchronized void describe(ObjectNode root) {
        ObjectNode c = root.putObject("canary");
        c.put("promote_after", settings.promoteAfter());
        c.put("min_requests", settings.minRequests());
        c.put("auto_promote", settings.autoPromote());
        c.put(
                "state",
                switch (state) {
                    case Running r -> "running";
                    case Violated v -> "rolled_back";
                    case Ready r -> "ready";
                });
        if (state instanceof Violated v) {
            v.reasons().forEach(c.putArray("violations")::add);
        }
        c.set("control", arm(control));
        c.set("canary", arm(canary));
    }

    private static ObjectNode arm(Stats s) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("requests", s.n);
        n.put("error_rate", s.n == 0 ? 0 : s.errors / (double) s.n);
        n.put("mean_cost_usd", s.mean(s.cost, s.n));
        n.put("successes", s.successes);
        if (s.successes > 0) {
            n.put("cost_per_successful_task_usd", perSuccess(s));
        }
        if (s.feedback > 0) {
            n.put("feedback", s.feedback);
            n.put("mean_feedback", s.score / s.feedback);
        }
        ObjectNode routes = n.putObject("escalation_rate");
        s.routes.forEach((route, c) -> routes.put(route, c[1] / (double) c[0]));
        return n;
    }

    /** Acklam's rational approximation of the standard normal quantile (relative error below 1.2e-9). */
    static double normalQuantile(double p) {
        if (p <= 0 || p >= 1) {
            throw new IllegalArgumentException("a probability strictly between 0 and 1, got " + p);
        }
        double[] a = {
            -3.969683028665376e+01,
            2.209460984245205e+02,
            -2.759285104469687e+02,
            1.383577518672690e+02,
            -3.066479806614716e+01,
            2.506628277459239e+00
        };
        double[] b = {
            -5.447609879822406e+01,
            1.615858368580409e+02,
            -1.556989798598866e+02,
            6.680131188771972e+01,
            -1.328068155288572e+01
        };
        double[] c = {
            -7.784894002430293e-03,
            -3.223964580411365e-01,
            -2.400758277161838e+00,
            -2.549732539343734e+00,
            4.374664141464968e+00,
            2.938163982698783e+00
        };
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double low = 0.02425;
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) {
            double q = Math.sqrt(-2 * Math.log(1 - p));
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
                * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
}
