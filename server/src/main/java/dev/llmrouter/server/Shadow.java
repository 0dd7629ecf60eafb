package dev.llmrouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.engine.HashDraw;
import dev.llmrouter.engine.Router;
import dev.llmrouter.policy.Route;
import dev.llmrouter.request.Json;
import dev.llmrouter.trace.DecisionTrace;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A candidate (a policy, a classifier bundle, or both) beside the live router. In shadow mode it decides a
 * share of requests, drawn by a hash of the trace id, after the live router served them, calling no model, and
 * the two decisions are compared (the same start model or not, and each one's predicted success and cost of its
 * start): counted per route of the live decision, logged as {@code "type": "shadow"} lines, read from
 * {@code GET /admin/candidate}. In canary mode it serves that share itself, and {@link Canary} compares the
 * two arms' outcomes as they arrive.
 */
final class Shadow {
    /** One decision, as compared: its route, start model, predicted success of the start and its cost. */
    record Side(String route, String start, double predictedSuccess, double predictedCostUsd) {}

    private final Router router;
    private final Engine.Models models;
    private final String describe;
    private final Optional<Path> bundle;
    private final Optional<JsonNode> policyDocument;
    private final Optional<Canary> canary;
    private final double share;
    private final Instant since;
    private final Map<String, double[]> byRoute = new TreeMap<>(); // decisions, agreed, Δsuccess, Δcost

    Shadow(
            Router router,
            Engine.Models models,
            Optional<Path> bundle,
            Optional<JsonNode> policyDocument,
            Optional<Canary> canary,
            double share,
            Instant since) {
        this.router = router;
        this.models = models;
        this.bundle = bundle;
        this.policyDocument = policyDocument;
        this.canary = canary;
        this.share = share;
        this.since = since;
        this.describe = router.classifier().info().id() + " / policy "
                + router.policy().id() + " v" + router.policy().version();
    }

    Router router() {
        return router;
    }

    Engine.Models models() {
        return models;
    }

    /** The bundle folder the candidate was loaded from, when it has its own. */
    Optional<Path> bundle() {
        return bundle;
    }

    /** The candidate's own policy document, when it has one. */
    Optional<JsonNode> policyDocument() {
        return policyDocument;
    }

    /** In canary mode, the comparison of the two arms; empty in shadow mode. */
    Optional<Canary> canary() {
        return canary;
    }

    /**
     * Whether the request whose assignment unit is {@code unit} (its trace id, or for a canary the caller's key
     * or user, as {@link Canary.AssignBy} says) is one the candidate decides.
     */
    boolean sampled(String unit) {
        return HashDraw.unit(unit + "\nshadow") < share;
    }

    /** The side of a decision {@code trace} made with {@code decider}; empty when it started no model. */
    static Optional<Side> side(Router decider, DecisionTrace trace) {
        if (trace.start().isEmpty() || trace.route().isEmpty()) {
            return Optional.empty();
        }
        Optional<ModelSpec> model = decider.catalog().model(trace.start().get());
        Optional<Route> route = decider.policy().routes().stream()
                .filter(r -> r.name().equals(trace.route().get()))
                .findFirst();
        if (model.isEmpty() || route.isEmpty()) {
            return Optional.empty();
        }
        int output = trace.request().maxTokens().orElse(route.get().rank().expectedOutputTokens());
        double success = trace.classification()
                .map(c -> c.successByTier()
                        .getOrDefault(Integer.toString(model.get().tier()), Double.NaN))
                .orElse(Double.NaN);
        return Optional.of(new Side(
                trace.route().get(),
                model.get().id(),
                success,
                model.get().costUsd(trace.request().promptTokensEstimate(), output)));
    }

    /** Counts one comparison; returns its log line. */
    synchronized ObjectNode compare(String traceId, Side live, Side candidate) {
        boolean agree = live.start().equals(candidate.start());
        double[] c = byRoute.computeIfAbsent(live.route(), r -> new double[4]);
        c[0]++;
        c[1] += agree ? 1 : 0;
        c[2] += finite(candidate.predictedSuccess()) - finite(live.predictedSuccess());
        c[3] += candidate.predictedCostUsd() - live.predictedCostUsd();
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("trace_id", traceId);
        line.put("candidate", describe);
        line.put("agree", agree);
        line.set("live", json(live));
        line.set("shadow", json(candidate));
        return line;
    }

    private static double finite(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static ObjectNode json(Side s) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("route", s.route());
        n.put("start", s.start());
        if (!Double.isNaN(s.predictedSuccess())) {
            n.put("predicted_success", s.predictedSuccess());
        }
        n.put("predicted_cost_usd", s.predictedCostUsd());
        return n;
    }

    /** What the candidate is and what it found so far, per route of the live decision. */
    synchronized ObjectNode describe() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("candidate", describe);
        root.put("mode", canary.isPresent() ? "canary" : "shadow");
        root.put("classifier", router.classifier().info().id());
        root.put("classifier_hash", router.classifier().info().hash());
        bundle.ifPresent(b -> root.put("bundle", b.toString()));
        root.put("policy", router.policy().id() + " v" + router.policy().version());
        root.put("policy_hash", router.policy().hash());
        root.put("share", share);
        root.put("since", since.toString());
        if (canary.isPresent()) {
            canary.get().describe(root);
            return root;
        }
        ObjectNode routes = root.putObject("routes");
        double decisions = 0;
        double agreed = 0;
        for (Map.Entry<String, double[]> e : byRoute.entrySet()) {
            double[] c = e.getValue();
            ObjectNode r = routes.putObject(e.getKey());
            r.put("decisions", (long) c[0]);
            r.put("agreement", c[1] / c[0]);
            r.put("mean_predicted_success_change", c[2] / c[0]);
            r.put("mean_predicted_cost_change_usd", c[3] / c[0]);
            decisions += c[0];
            agreed += c[1];
        }
        root.put("decisions", (long) decisions);
        if (decisions > 0) {
            root.put("agreement", agreed / decisions);
        }
        return root;
    }

    static JsonNode none() {
        return Json.MAPPER.createObjectNode().put("candidate", "none");
    }
}
