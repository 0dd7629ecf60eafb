package dev.llmrouter.evalsets;

import java.util.Optional;

/**
 * What the router did with one record, read from its decision trace.
 *
 * @param route the route that matched (empty when refused before routing)
 * @param start the model the router started with
 * @param servedBy the model whose answer was returned, empty when none was
 * @param strongCalled whether the strong model was called (served or escalated to)
 * @param escalated whether the cascade escalated
 * @param quality the served answer's recorded score, 0 when nothing was served
 * @param costUsd what every call made cost
 * @param cheapGateScore the gate's score of the cheap answer, when the cheap model answered and was gated
 * @param difficulty 1 - the classifier's predicted success of the cheap tier
 * @param predictedGain the classifier's predicted success of the strong tier minus the cheap tier's
 */
public record Decision(
        String route,
        String start,
        Optional<String> servedBy,
        boolean strongCalled,
        boolean escalated,
        double quality,
        double costUsd,
        Optional<Double> cheapGateScore,
        double difficulty,
        double predictedGain) {}
