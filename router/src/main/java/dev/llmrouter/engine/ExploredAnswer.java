package dev.llmrouter.engine;

import dev.llmrouter.trace.DecisionTrace.ErrorView;
import dev.llmrouter.trace.DecisionTrace.GateView;
import java.util.Optional;

/**
 * What a shadow exploration's model did on a request the caller was served by another: its answer gated (a
 * verdict of {@code accept} or {@code escalate} against the route's threshold), or its error. The answer itself
 * is never kept.
 */
public record ExploredAnswer(
        String traceId,
        String route,
        String model,
        double propensity,
        double latencyMs,
        int inputTokens,
        int outputTokens,
        double costUsd,
        Optional<GateView> gate,
        Optional<ErrorView> error) {}
