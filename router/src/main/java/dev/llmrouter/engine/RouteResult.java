package dev.llmrouter.engine;

import dev.llmrouter.provider.Completion;
import dev.llmrouter.provider.ProviderFailure;
import dev.llmrouter.trace.DecisionTrace;
import java.util.List;

/** How a routed request ended. Every ending carries its trace. */
public sealed interface RouteResult {
    DecisionTrace trace();

    /** A model answered and its answer was accepted. */
    record Served(Completion completion, String model, DecisionTrace trace) implements RouteResult {}

    /** No model may serve the request under the policy; {@code reasons} says why for each. */
    record Refused(List<String> reasons, DecisionTrace trace) implements RouteResult {
        public Refused {
            reasons = List.copyOf(reasons);
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
