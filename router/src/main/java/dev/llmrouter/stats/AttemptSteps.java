package dev.llmrouter.stats;

import dev.llmrouter.gate.EscalationCause;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.DecisionTrace.AttemptView;
import java.util.ArrayList;
import java.util.List;

/**
 * Why each attempt of a trace after the first was made: an escalation (the gate found the previous answer
 * wanting, for the cause it names) or a fallback (the previous call failed). The metrics and the rolling
 * windows read a trace's escalations and fallbacks through this one place.
 *
 * @param from the attempt before
 * @param to the attempt it led to
 * @param escalation true for an escalation, false for a fallback
 * @param cause an escalation's cause ({@link EscalationCause#key()}), or a fallback's error kind
 */
public record AttemptSteps(AttemptView from, AttemptView to, boolean escalation, String cause) {

    /** The escalations and fallbacks of {@code trace}, in order (a retry after success is neither). */
    public static List<AttemptSteps> of(DecisionTrace trace) {
        List<AttemptSteps> steps = new ArrayList<>();
        AttemptView previous = null;
        for (AttemptView a : trace.attempts()) {
            if (previous != null && a.role() == DecisionTrace.Role.ESCALATION) {
                String cause = EscalationCause.of(
                                previous.gate().map(g -> g.reasons()).orElse(List.of()))
                        .key();
                steps.add(new AttemptSteps(previous, a, true, cause));
            } else if (previous != null && previous.error().isPresent()) {
                steps.add(new AttemptSteps(
                        previous, a, false, previous.error().get().kind().key()));
            }
            previous = a;
        }
        return steps;
    }
}
