package dev.llmrouter.trace;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The record of one routing decision, built by the decision path itself as it runs. Its JSON form (field
 * names in snake_case) is documented in {@code router/TRACE.md}; {@link #SCHEMA} rises with any change
 * that is not a pure addition.
 */
public record DecisionTrace(
        int schema,
        String traceId,
        String timestamp,
        PolicyRef policy,
        String catalogHash,
        ModelRef classifier,
        ModelRef gate,
        RequestView request,
        Optional<ClassificationView> classification,
        Optional<String> route,
        String riskClass,
        List<CandidateView> candidates,
        List<String> ranking,
        Optional<String> start,
        List<AttemptView> attempts,
        List<CooldownView> cooldowns,
        Optional<String> servedBy,
        double totalCostUsd,
        boolean escalated,
        List<String> escalationReasons,
        Outcome outcome,
        Optional<String> error,
        Optional<ExplorationView> exploration) {

    public static final int SCHEMA = 1;

    public DecisionTrace {
        candidates = List.copyOf(candidates);
        ranking = List.copyOf(ranking);
        attempts = List.copyOf(attempts);
        cooldowns = List.copyOf(cooldowns);
        escalationReasons = List.copyOf(escalationReasons);
    }

    /** The same record with another ending: what the server knows only after the router finished. */
    public DecisionTrace withOutcome(Outcome newOutcome, Optional<String> newError) {
        return new DecisionTrace(
                schema,
                traceId,
                timestamp,
                policy,
                catalogHash,
                classifier,
                gate,
                request,
                classification,
                route,
                riskClass,
                candidates,
                ranking,
                start,
                attempts,
                cooldowns,
                servedBy,
                totalCostUsd,
                escalated,
                escalationReasons,
                newOutcome,
                newError,
                exploration);
    }

    /**
     * A route that explores ({@code explore} in the policy) records on each of its requests what exploration
     * did, so the log's outcomes can be weighted by how likely each model was to be called.
     *
     * @param mode {@code shadow} or {@code serve}
     * @param share the route's share of requests explored
     * @param candidates the models of other tiers one of which an explored request calls (uniformly)
     * @param model the model explored on this request; absent when it was not explored
     * @param propensity the probability that {@code model} was called for exploration on this request:
     *     {@code share / candidates} (absent when not explored)
     * @param skipped why a request drawn for exploration was not explored ({@code no_other_tier},
     *     {@code cost_cap})
     */
    public record ExplorationView(
            String mode,
            double share,
            int candidates,
            Optional<String> model,
            Optional<Double> propensity,
            Optional<String> skipped) {}

    /** How the request ended. */
    public enum Outcome {
        /** {@code route --explain}: decided, no model called. */
        EXPLAINED,
        /** A model's answer was returned. */
        SERVED,
        /**
         * The gate asked for a stronger answer, no stronger attempt succeeded, and the best answer already
         * received was returned (the route's {@code on_escalation_failure: serve}); {@code error} says why.
         */
        SERVED_UNESCALATED,
        /** The policy left no model that may serve; the candidates list every reason. */
        NO_ELIGIBLE_MODEL,
        /**
         * A budget with {@code on_exhausted: refuse} left no model whose worst case fits (the candidates say
         * which), or denied the reservation of every model left; the caller gets 429 until the window resets.
         */
        BUDGET_EXHAUSTED,
        /** Every attempt failed with an error that could move on, or the attempts ran out. */
        UPSTREAM_FAILED,
        /** A provider error that only the caller can fix (bad request, content filter) was returned. */
        RETURNED_TO_CALLER,
        /** A stream failed after its first byte reached the caller, so no other model could take over. */
        STREAM_BROKEN,
        /**
         * The caller went away: during a stream (the upstream call was stopped), between attempts (no other was
         * made), or before the answer could be sent.
         */
        CLIENT_CLOSED;

        @JsonValue
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Outcome fromKey(String key) {
            return valueOf(key.toUpperCase(Locale.ROOT));
        }
    }

    /** @param id policy id  @param version its version  @param hash sha256 of its canonical form */
    public record PolicyRef(String id, int version, String hash) {}

    /** A classifier or gate: readable id and sha256. */
    public record ModelRef(String id, String hash) {}

    /**
     * What the router knew of the request (never the prompt text itself).
     *
     * @param metadata the caller's metadata as the trace keeps it: capped in entries and lengths (see
     *     {@code router/TRACE.md}); routing saw all of it
     * @param metadataCapped how many entries of the caller's metadata the cap left out or cut short
     */
    public record RequestView(
            int promptTokensEstimate,
            Optional<Integer> maxTokens,
            boolean stream,
            List<String> requiredCapabilities,
            int messages,
            Map<String, String> metadata,
            @JsonInclude(JsonInclude.Include.NON_DEFAULT) int metadataCapped) {}

    public record ClassificationView(
            String topIntent,
            Map<String, Double> intents,
            Map<String, Double> successByTier,
            Optional<Double> familiarity,
            Optional<Double> easy,
            @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean unfamiliar) {}

    /**
     * One catalog model and what the filters said of it.
     *
     * @param rejectedBy the filter that removed it, absent when it passed
     * @param reason a reason code, e.g. {@code context_too_small}
     * @param values the values compared, e.g. needed and available tokens
     */
    public record CandidateView(
            String model,
            int tier,
            boolean passed,
            Optional<String> rejectedBy,
            Optional<String> reason,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Object> values) {
        public CandidateView {
            values = values == null ? Map.of() : Map.copyOf(values);
        }
    }

    /**
     * One provider call.
     *
     * @param role why this call was made
     * @param mutations changes made to the request for this model
     */
    public record AttemptView(
            int n,
            String model,
            Role role,
            double latencyMs,
            int inputTokens,
            int outputTokens,
            double costUsd,
            List<String> mutations,
            Optional<ErrorView> error,
            Optional<GateView> gate) {}

    /** Why a provider call was made. */
    public enum Role {
        /** The first call of the request. */
        START,
        /** The gate found the previous answer wanting: a stronger tier. */
        ESCALATION,
        /** The previous call failed: the next model of the fallback chain. */
        FALLBACK,
        /** The previous call failed: the same model again (a short rate limit). */
        RETRY;

        @JsonValue
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Role fromKey(String key) {
            return valueOf(key.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * @param kind what went wrong: one of the provider error kinds, or {@code client_closed}
     */
    public record ErrorView(
            FailureKind kind, Optional<Integer> httpStatus, String message, Optional<Long> retryAfterMs) {}

    /**
     * What ended a failed call: every provider error kind ({@code dev.llmrouter.provider.ErrorKind}, by the same
     * name), and the caller going away.
     */
    public enum FailureKind {
        RATE_LIMITED,
        TIMEOUT,
        OVERLOADED,
        SERVER_ERROR,
        CONTEXT_TOO_LONG,
        BAD_REQUEST,
        AUTH,
        CONTENT_FILTERED,
        /** The caller went away during the call. */
        CLIENT_CLOSED,
        /** No call was made: reserving its worst case would have broken a budget (error names which). */
        BUDGET_EXHAUSTED;

        @JsonValue
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static FailureKind fromKey(String key) {
            return valueOf(key.toUpperCase(Locale.ROOT));
        }
    }

    public record GateView(double score, double threshold, Verdict verdict, List<String> reasons) {}

    /** What the gate made of an answer. */
    public enum Verdict {
        /** Good enough: served. */
        ACCEPT,
        /** Not good enough, and a stronger tier may be tried. */
        ESCALATE,
        /** Not good enough, but no stronger tier may be tried: served as it is. */
        FINAL;

        @JsonValue
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Verdict fromKey(String key) {
            return valueOf(key.toUpperCase(Locale.ROOT));
        }
    }

    /** A model put in cooldown during this request. */
    public record CooldownView(String model, String until, int consecutiveFailures) {}
}
