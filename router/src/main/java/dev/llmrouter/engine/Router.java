package dev.llmrouter.engine;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.classify.HeuristicClassifier;
import dev.llmrouter.gate.AnswerGate;
import dev.llmrouter.gate.HeuristicAnswerGate;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.provider.ProviderClient;
import dev.llmrouter.provider.StreamSink;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.trace.DecisionTrace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The decision engine: classify, filter, rank, select, then the cascade and fallback chain, recording one
 * {@link DecisionTrace} per request. Immutable and thread-safe; build one with {@link #builder()}.
 */
public interface Router {
    /** Decides without calling any model: the trace of what would be tried first. */
    default DecisionTrace explain(ChatRequest request) {
        return explain(request, Target.AUTO);
    }

    /** As {@link #explain(ChatRequest)}, with a route or model the caller pinned. */
    DecisionTrace explain(ChatRequest request, Target target);

    /** As {@link #explain(ChatRequest, Target)}, the trace taking the caller's id (the server's request id). */
    DecisionTrace explain(ChatRequest request, Target target, String traceId);

    /** Routes a request and returns the whole answer. A streaming request is answered in one piece. */
    default RouteResult route(ChatRequest request) {
        return route(request.withStream(false), Target.AUTO, StreamSink.discarding());
    }

    /**
     * Routes a request, sending the answer's text to {@code sink}. For a request with {@code stream}, text
     * reaches the sink as it arrives from the serving model, and never from two models.
     */
    default RouteResult route(ChatRequest request, StreamSink sink) {
        return route(request, Target.AUTO, sink);
    }

    /** As {@link #route(ChatRequest, StreamSink)}, with a route or model the caller pinned. */
    RouteResult route(ChatRequest request, Target target, StreamSink sink);

    /** As {@link #route(ChatRequest, Target, StreamSink)}, the trace taking the caller's id. */
    default RouteResult route(ChatRequest request, Target target, StreamSink sink, String traceId) {
        return route(request, target, sink, traceId, NO_KEY);
    }

    /**
     * As {@link #route(ChatRequest, Target, StreamSink, String)}, charging the budgets kept per API key to
     * {@code apiKey}, the caller's key fingerprint ({@code sha256:} and 12 hex digits; {@link #NO_KEY} for none).
     */
    RouteResult route(ChatRequest request, Target target, StreamSink sink, String traceId, String apiKey);

    /** The API key fingerprint of a request that came with none. */
    String NO_KEY = "none";

    /**
     * The policy's budget counters in their current windows, read from its state: every global budget's, and the
     * others' that this router charged (per route, key, model or provider).
     */
    List<BudgetStatus> budgets();

    /** What the router remembers between requests (shared with other replicas when the state is). */
    RouterState state();

    Policy policy();

    Catalog catalog();

    Classifier classifier();

    /**
     * This router under another policy: the same catalog, classifier, gate, providers and clock, and the
     * models' cooldowns carried over, so a failing model stays skipped across a policy reload. The policy is
     * checked as {@link Builder#build()} checks it.
     */
    Router withPolicy(Policy policy);

    /**
     * This router deciding with other models: the same catalog, policy, providers and clock, and the cooldowns
     * carried over. The policy's intents must be ones the new classifier knows, as {@link Builder#build()}
     * checks.
     */
    Router withModels(DecisionModels models);

    /**
     * For a request routed on a route that explores in shadow mode and drew a model to explore
     * ({@code routed.exploration()}), calls that model with the request (whole, not streamed) and gates its
     * answer; the caller was already served by the routed chain. Empty for every other request. Its cost counts
     * against the route's exploration cap. Call it after the caller has its answer.
     */
    Optional<ExploredAnswer> explore(ChatRequest request, DecisionTrace routed);

    static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link Router}; {@link #build()} names the first missing or inconsistent setting. */
    final class Builder {
        private Catalog catalog;
        private Policy policy;
        private Classifier classifier = new HeuristicClassifier();
        private AnswerGate gate = new HeuristicAnswerGate();
        private final Map<String, ProviderClient> providers = new LinkedHashMap<>();
        private RouterClock clock = RouterClock.system();
        private Supplier<String> traceIds = () -> UUID.randomUUID().toString();
        private RouterState state;

        private Builder() {}

        public Builder catalog(Catalog value) {
            catalog = Objects.requireNonNull(value, "catalog");
            return this;
        }

        public Builder policy(Policy value) {
            policy = Objects.requireNonNull(value, "policy");
            return this;
        }

        public Builder classifier(Classifier value) {
            classifier = Objects.requireNonNull(value, "classifier");
            return this;
        }

        public Builder gate(AnswerGate value) {
            gate = Objects.requireNonNull(value, "gate");
            return this;
        }

        /** The classifier and answer gate of {@code value}. */
        public Builder models(DecisionModels value) {
            return classifier(value.classifier()).gate(value.gate());
        }

        /** The client for a catalog provider name. Every provider the catalog's models use needs one. */
        public Builder provider(String name, ProviderClient client) {
            providers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(client, "client"));
            return this;
        }

        public Builder clock(RouterClock value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Where cooldowns, the escalation controller's scores and budgets live; in memory when not set. */
        public Builder state(RouterState value) {
            state = Objects.requireNonNull(value, "state");
            return this;
        }

        public Builder traceIds(Supplier<String> value) {
            traceIds = Objects.requireNonNull(value, "traceIds");
            return this;
        }

        public Router build() {
            if (catalog == null) {
                throw new IllegalStateException("Router.builder(): catalog is not set");
            }
            if (policy == null) {
                throw new IllegalStateException("Router.builder(): policy is not set");
            }
            Set<String> missing = new TreeSet<>();
            catalog.models().forEach(m -> {
                if (!providers.containsKey(m.provider())) {
                    missing.add(m.provider());
                }
            });
            if (!missing.isEmpty()) {
                throw new IllegalStateException("Router.builder(): no provider client for " + String.join(", ", missing)
                        + ": call provider(name, client) for each provider the catalog uses");
            }
            checkIntents(policy, classifier);
            RouterState kept = state == null ? RouterState.inMemory() : state;
            return new DefaultRouter(
                    catalog,
                    policy,
                    classifier,
                    gate,
                    Map.copyOf(providers),
                    clock,
                    traceIds,
                    new Cooldowns(kept),
                    new Exploration(),
                    kept);
        }

        static void checkIntents(Policy policy, Classifier classifier) {
            Set<String> unknownIntents = new TreeSet<>();
            policy.routes().forEach(r -> r.match().intents().stream()
                    .filter(i -> !classifier.intents().contains(i))
                    .forEach(unknownIntents::add));
            if (!unknownIntents.isEmpty()) {
                throw new IllegalStateException("Router.builder(): the policy matches intents the classifier "
                        + classifier.info().id() + " cannot produce: " + String.join(", ", unknownIntents));
            }
        }
    }
}
