package dev.llmrouter.policy;

import dev.llmrouter.provider.ErrorKind;
import dev.llmrouter.request.Capability;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/** One route of a policy: when it applies and the verbs that decide its requests. */
public record Route(
        String name,
        Match match,
        Filter filter,
        Rank rank,
        Select select,
        Mutate mutate,
        Fallback fallback,
        Cascade cascade,
        Watch watch,
        Explore explore) {

    /**
     * When a route applies. Every condition given must hold; an empty condition holds for all requests.
     *
     * @param intents the classifier's top intent is one of these
     * @param riskClasses the request's risk class is one of these
     * @param metadata each key is present in the request's metadata with this value
     */
    public record Match(Set<String> intents, Set<String> riskClasses, Map<String, String> metadata) {
        public static final Match ANY = new Match(Set.of(), Set.of(), Map.of());

        public Match {
            intents = Set.copyOf(intents);
            riskClasses = Set.copyOf(riskClasses);
            metadata = Map.copyOf(metadata);
        }

        public boolean matchesEverything() {
            return intents.isEmpty() && riskClasses.isEmpty() && metadata.isEmpty();
        }

        public boolean matches(String topIntent, String riskClass, Map<String, String> requestMetadata) {
            return (intents.isEmpty() || intents.contains(topIntent))
                    && (riskClasses.isEmpty() || riskClasses.contains(riskClass))
                    && metadata.entrySet().stream().allMatch(e -> e.getValue().equals(requestMetadata.get(e.getKey())));
        }
    }

    /**
     * Hard constraints. The context check (prompt plus max_tokens fits the window) and the request's own
     * capability needs always apply; these add to them.
     *
     * @param capabilities capabilities every candidate must have even if the request does not need them
     * @param regions allowed regions; empty allows all
     * @param maxInputPrice USD per million input tokens
     * @param maxOutputPrice USD per million output tokens
     * @param maxRequestCost USD for the worst case of this request (prompt plus max_tokens of output)
     * @param allowedModels the only models this route may use; empty allows all
     * @param deniedModels models this route never uses
     * @param minTier lowest tier allowed
     * @param maxTier highest tier allowed
     */
    public record Filter(
            Set<Capability> capabilities,
            Set<String> regions,
            OptionalDouble maxInputPrice,
            OptionalDouble maxOutputPrice,
            OptionalDouble maxRequestCost,
            Set<String> allowedModels,
            Set<String> deniedModels,
            int minTier,
            int maxTier) {
        public static final Filter NONE = new Filter(
                Set.of(),
                Set.of(),
                OptionalDouble.empty(),
                OptionalDouble.empty(),
                OptionalDouble.empty(),
                Set.of(),
                Set.of(),
                1,
                9);

        public Filter {
            capabilities = Set.copyOf(capabilities);
            regions = Set.copyOf(regions);
            allowedModels = Set.copyOf(allowedModels);
            deniedModels = Set.copyOf(deniedModels);
        }
    }

    /**
     * How candidates are ordered within a tier (and across tiers when the cascade is off).
     *
     * @param by the ordering
     * @param expectedOutputTokens output length assumed for cost and latency when the request gives no
     *     max_tokens
     */
    public record Rank(By by, int expectedOutputTokens) {
        public static final Rank DEFAULT = new Rank(By.CHEAPEST, 400);

        public enum By {
            /** Lowest expected cost for this request. */
            CHEAPEST,
            /** Lowest expected latency for this request. */
            FASTEST,
            /** Highest predicted success from the classifier, then cheapest. */
            QUALITY
        }
    }

    /**
     * Which model starts and where failures go.
     *
     * @param start a fixed start model; empty lets the cascade or ranking choose
     * @param failover models tried, in this order, after the ranked candidates of the start's tier when a
     *     call fails; empty means the ranked candidates themselves
     */
    public record Select(Optional<String> start, List<String> failover) {
        public static final Select AUTO = new Select(Optional.empty(), List.of());

        public Select {
            failover = List.copyOf(failover);
        }
    }

    /**
     * Changes made to the request for the chosen model.
     *
     * @param clampMaxTokens lower max_tokens to what the model can write
     * @param dropUnsupported remove parameters the model rejects (its {@code unsupported_params})
     * @param defaultMaxTokens max_tokens to set when the caller gave none
     */
    public record Mutate(boolean clampMaxTokens, boolean dropUnsupported, OptionalInt defaultMaxTokens) {
        public static final Mutate DEFAULT = new Mutate(true, true, OptionalInt.empty());
    }

    /**
     * What provider errors do.
     *
     * @param moveOn kinds that move to another model (or wait and retry); other kinds return to the caller
     * @param maxAttempts provider calls at most per request, escalations included
     * @param maxRetryAfter the longest Retry-After the router waits on a rate limit before moving on
     * @param cooldownAfter consecutive failures after which a model is cooled down
     * @param cooldownFor how long a cooled-down model is skipped
     */
    public record Fallback(
            Set<ErrorKind> moveOn, int maxAttempts, Duration maxRetryAfter, int cooldownAfter, Duration cooldownFor) {
        public static final Fallback DEFAULT = new Fallback(
                Set.of(
                        ErrorKind.RATE_LIMITED,
                        ErrorKind.TIMEOUT,
                        ErrorKind.OVERLOADED,
                        ErrorKind.SERVER_ERROR,
                        ErrorKind.CONTEXT_TOO_LONG,
                        ErrorKind.AUTH),
                4,
                Duration.ofSeconds(2),
                3,
                Duration.ofSeconds(30));

        public Fallback {
            moveOn = Set.copyOf(moveOn);
        }
    }

    /**
     * Try cheap first, escalate when the gate rejects the answer.
     *
     * @param enabled when false the top-ranked candidate serves and only errors move on
     * @param qualityFloor the start is the cheapest tier whose predicted success reaches this
     * @param qualityGap and whose predicted success is at most this far below the best candidate's (1: any)
     * @param gateThreshold an answer scoring below this is escalated
     * @param maxEscalations tiers climbed at most after the start
     * @param streaming what a streaming request does, since a model cannot change after its first byte
     * @param onEscalationFailure what happens when the gate asked for a stronger answer and no stronger
     *     attempt succeeded
     * @param unfamiliarBelow a request whose familiarity (how much of it the learned classifier saw in
     *     training, 0 to 1) is below this starts one tier above the one the floor and gap chose, since the
     *     predicted success is least reliable there (0: off; the heuristic classifier gives no familiarity)
     * @param hold when present, the gate threshold is not fixed: a controller moves it within bounds to hold
     *     the share of escalating answers at a target ({@code target_escalation_rate})
     */
    public record Cascade(
            boolean enabled,
            double qualityFloor,
            double qualityGap,
            double gateThreshold,
            int maxEscalations,
            Streaming streaming,
            OnEscalationFailure onEscalationFailure,
            double unfamiliarBelow,
            Optional<Hold> hold) {
        public static final Cascade DEFAULT =
                new Cascade(true, 0.7, 1.0, 0.5, 1, Streaming.BUFFER, OnEscalationFailure.SERVE, 0);

        /** A cascade with a fixed gate threshold. */
        public Cascade(
                boolean enabled,
                double qualityFloor,
                double qualityGap,
                double gateThreshold,
                int maxEscalations,
                Streaming streaming,
                OnEscalationFailure onEscalationFailure,
                double unfamiliarBelow) {
            this(
                    enabled,
                    qualityFloor,
                    qualityGap,
                    gateThreshold,
                    maxEscalations,
                    streaming,
                    onEscalationFailure,
                    unfamiliarBelow,
                    Optional.empty());
        }

        /**
         * The escalation rate a route holds: the threshold in force is the {@code target} quantile of the gate
         * scores of the route's last {@code window} answers that could escalate (so that share of them scores
         * below it), never below {@code min} nor above {@code max}; until a quarter of the window (at least 20)
         * has been seen, the cascade's {@code gate_threshold} (within the bounds).
         */
        public record Hold(double target, double min, double max, int window) {}

        public enum Streaming {
            /** Buffer the cheaper answers, release one only when the gate accepts it. */
            BUFFER,
            /** No cascade for streams: the start model streams straight through. */
            SKIP
        }

        public enum OnEscalationFailure {
            /**
             * Serve the best answer already received (highest gate score, the stronger model on a tie): it was
             * paid for, and an outage of the top tier must not fail every request the gate would escalate.
             */
            SERVE,
            /** Fail the request with every attempt, as when no model answered. */
            FAIL
        }
    }

    /**
     * What healthy looks like for this route: the bounds of the Prometheus alerts that {@code llm-router
     * monitoring rules} writes from the policy. Rates are shares of the route's requests over {@code window},
     * judged only once the route has had {@code minRequests} requests in it.
     *
     * @param escalationFloor below this share of requests escalating the route is too greedy: its gate
     *     accepts nearly every cheap answer (judged only where the cascade is on)
     * @param escalationCeiling above it the route is too costly: most requests pay for two calls
     * @param fallbackRate the most requests that may need a fallback (a provider failed)
     * @param decisionP99 the most time the router itself may add at p99 (default 20 ms: with sparse traffic its
     *     own work runs cache-cold after each upstream wait and takes 1-5 ms; a regression such as a blocking
     *     call on the hot path shows as tens of milliseconds)
     * @param feedbackScore the lowest mean feedback score (0 to 1) callers may give the route's answers
     * @param providerShare the largest share of the route's requests one provider may serve; empty: no bound
     * @param window how far back the rates look
     * @param minRequests requests in a window below which its rates are noise and no alert fires
     */
    /**
     * Exploration: a share of the route's requests (chosen by a hash of the trace id) also goes to a model of
     * another tier, drawn at random among the route's allowed models, cheaper as well as stronger than the one
     * routed: without it the trace log never shows how a cheap model does on what the router sends up, nor a
     * strong one on what it keeps down, and a model retrained on the log learns the router's own choices.
     *
     * @param share the share of requests explored (0: off)
     * @param mode {@code shadow}: the caller gets the routed answer and the explored model's is only gated and
     *     logged; {@code serve}: the explored model starts the request instead (its answer is gated and may
     *     escalate as usual)
     * @param maxCostPerHour the most the explored calls of this route may cost in any hour (USD); past it the
     *     route stops exploring until the hour's spend falls below; empty: no cap
     */
    public record Explore(double share, Mode mode, OptionalDouble maxCostPerHour) {
        public static final Explore OFF = new Explore(0, Mode.SHADOW, OptionalDouble.empty());

        public boolean enabled() {
            return share > 0;
        }

        public enum Mode {
            SHADOW,
            SERVE
        }
    }

    public record Watch(
            double escalationFloor,
            double escalationCeiling,
            double fallbackRate,
            Duration decisionP99,
            double feedbackScore,
            OptionalDouble providerShare,
            Duration window,
            int minRequests) {
        public static final Watch DEFAULT = new Watch(
                0.02, 0.30, 0.05, Duration.ofMillis(20), 0.6, OptionalDouble.empty(), Duration.ofMinutes(30), 20);
    }
}
