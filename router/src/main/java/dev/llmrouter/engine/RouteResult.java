package dev.llmrouter.engine;

import dev.llmrouter.provider.Completion;
import dev.llmrouter.provider.ProviderFailure;
import dev.llmrouter.trace.DecisionTrace;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** How a routed request ended. Every ending carries its trace. */
public sealed interface RouteResult {
    DecisionTrace trace();

    /** A model answered and its answer was accepted. */
    record Served(Completion completion, String model, DecisionTrace trace) implements RouteResult {}

    /**
     * No model may serve the request under the policy; {@code reasons} says why for each. When a budget left
     * no model ({@code refuse}), {@code budgetResetsAt} is when the earliest such budget's window resets.
     */
    record Refused(List<String> reasons, DecisionTrace trace, Optional<Instant> budgetResetsAt) implements RouteResult {
        public Refused {
            reasons = List.copyOf(reasons);
        }

        public Refused(List<String> reasons, DecisionTrace trace) {
            this(reasons, trace, Optional.empty());
        }
    }

    /**
     * Upstream calls ended without an answer: every attempt failed, or an error only the caller can fix
     * was returned, or a stream broke after its first byte. {@code lastFailure} is the final error; the
     * trace holds each attempt.
     */
    record Failed(ProviderFailure lastFailure, DecisionTrace trace) implements RouteResult {}

    /**
     * The caller went away, during a stream (the upstream call was stopped) or between attempts (no other was
     * made): nothing more was sent.
     */
    record Abandoned(DecisionTrace trace) implements RouteResult {}
}
