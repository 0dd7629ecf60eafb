package dev.llmrouter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.classify.Intents;
import dev.llmrouter.config.Documents;
import dev.llmrouter.config.InvalidConfigException;
import dev.llmrouter.gate.AnswerGate;
import dev.llmrouter.gate.GateScore;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.provider.Completion;
import dev.llmrouter.provider.ProviderCall;
import dev.llmrouter.provider.ProviderClient;
import dev.llmrouter.provider.ProviderFailure;
import dev.llmrouter.provider.SimulatedProvider;
import dev.llmrouter.provider.StreamSink;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.trace.DecisionTrace;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code cascade.target_escalation_rate}: the gate threshold follows the cheap tier's answers so that the route
 * keeps escalating the target share of them. On the simulated provider, the cheap tier's quality drops from 0.9
 * to 0.55 halfway: a fixed threshold's escalation rate jumps with it; the controlled one returns to the target
 * within about one control window, and its threshold never leaves the bounds.
 */
class EscalationControlTest {
    static final int BEFORE = 1500;
    static final int AFTER = 1500;
    static final int WINDOW = 200;
    static final double TARGET = 0.2;

    static Policy policy(String extra) {
        return PolicyLoader.admit(
                Documents.parse(
                        "id: t\nversion: 1\nroutes:\n  - name: all\n    cascade: {enabled: true, quality_floor: 0,"
                                + " gate_threshold: 0.5, max_escalations: 1" + extra + "}\n",
                        "policy"),
                "policy",
                Fixtures.catalog(),
                Set.copyOf(Intents.DEFAULT));
    }

    /** The simulated provider, its cheap tier's quality dropping after {@value #BEFORE} calls of it. */
    static final class Shifting implements ProviderClient {
        private final SimulatedProvider good;
        private final SimulatedProvider worse;
        private int cheapCalls;
        private final Set<String> cheap;

        Shifting(Catalog catalog) {
            Map<String, Integer> tiers =
                    catalog.models().stream().collect(Collectors.toMap(ModelSpec::upstreamId, ModelSpec::tier));
            good = new SimulatedProvider(
                    new SimulatedProvider.Settings(Duration.ZERO, 0, Map.of(1, 0.9, 2, 0.9, 3, 0.95)), tiers);
            worse = new SimulatedProvider(
                    new SimulatedProvider.Settings(Duration.ZERO, 0, Map.of(1, 0.55, 2, 0.9, 3, 0.95)), tiers);
            cheap = catalog.models().stream()
                    .filter(m -> m.tier() == 1)
                    .map(ModelSpec::upstreamId)
                    .collect(Collectors.toSet());
        }

        @Override
        public synchronized Completion complete(ProviderCall call) throws ProviderFailure {
            boolean shifted = cheapCalls >= BEFORE;
            if (cheap.contains(call.upstreamModel())) {
                cheapCalls++;
            }
            return (shifted ? worse : good).complete(call);
        }

        @Override
        public Completion stream(ProviderCall call, StreamSink sink) throws ProviderFailure {
            return complete(call);
        }
    }

    /**
     * A gate with continuous scores, as a learned one has: a complete answer scores 0.5 to 1, a cut one 0 to 0.5,
     * spread by a hash of the answer.
     */
    static final class Spread implements AnswerGate {
        @Override
        public ClassifierInfo info() {
            return new ClassifierInfo("spread", "0");
        }

        @Override
        public GateScore score(
                ChatRequest request, dev.llmrouter.classify.Classification classification, Completion answer) {
            double u = (answer.text().hashCode() & 0xFFFF) / 65536.0;
            return new GateScore(answer.truncated() ? 0.5 * u : 0.5 + 0.5 * u, List.of("spread"));
        }
    }

    record Run(double[] escalated, double[] threshold) {}

    static Run run(Policy policy) {
        FakeClock clock = new FakeClock();
        Catalog catalog = Fixtures.catalog();
        Router router = Router.builder()
                .catalog(catalog)
                .policy(policy)
                .classifier(new FixedClassifier(Scenario.EASY))
                .gate(new Spread())
                .provider("fake", new Shifting(catalog))
                .clock(clock)
                .build();
        int n = BEFORE + AFTER;
        double[] escalated = new double[n];
        double[] threshold = new double[n];
        for (int i = 0; i < n; i++) {
            DecisionTrace trace = router.route(
                            ChatRequest.ofPrompt("Request number " + i + ": what should we do next?"),
                            Target.AUTO,
                            StreamSink.discarding(),
                            "r-" + i)
                    .trace();
            escalated[i] = trace.escalated() ? 1 : 0;
            threshold[i] = trace.attempts().get(0).gate().orElseThrow().threshold();
        }
        return new Run(escalated, threshold);
    }

    static double mean(double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum / (to - from);
    }

    /**
     * Requests after the shift until the rate over the last window stays within 0.08 of the target (the rate of
     * 200 draws at 0.2 has a standard deviation of 0.028: 0.08 is about three).
     */
    static int convergence(double[] escalated) {
        int settled = -1;
        for (int i = BEFORE + WINDOW; i <= BEFORE + AFTER; i++) {
            boolean near = Math.abs(mean(escalated, i - WINDOW, i) - TARGET) <= 0.08;
            if (near && settled < 0) {
                settled = i;
            } else if (!near) {
                settled = -1;
            }
        }
        return settled < 0 ? Integer.MAX_VALUE : settled - BEFORE;
    }

    @Test
    void theControllerHoldsTheTargetThroughAShiftInTheCheapTiersQuality() {
        Run fixed = run(policy(""));
        Run held = run(policy(
                ", target_escalation_rate: 0.2, gate_threshold_bounds: [0.05, 0.95], control_window: " + WINDOW));
        double fixedBefore = mean(fixed.escalated(), BEFORE - 500, BEFORE);
        double fixedAfter = mean(fixed.escalated(), BEFORE + 500, BEFORE + AFTER);
        double heldBefore = mean(held.escalated(), BEFORE - 500, BEFORE);
        double heldAfter = mean(held.escalated(), BEFORE + 500, BEFORE + AFTER);
        int settled = convergence(held.escalated());
        System.out.printf(
                java.util.Locale.ROOT,
                "fixed threshold 0.5: escalation %.3f before the shift, %.3f after; target 0.2: %.3f before, %.3f"
                        + " after (threshold %.3f -> %.3f), the last %d requests' rate back within 0.08 of the target %d"
                        + " requests after the shift%n",
                fixedBefore,
                fixedAfter,
                heldBefore,
                heldAfter,
                mean(held.threshold(), BEFORE - 500, BEFORE),
                mean(held.threshold(), BEFORE + 500, BEFORE + AFTER),
                WINDOW,
                settled);
        assertTrue(fixedBefore < 0.15 && fixedAfter > 0.35, "without control the rate follows the quality");
        assertEquals(TARGET, heldBefore, 0.04);
        assertEquals(TARGET, heldAfter, 0.04);
        assertTrue(settled <= 2 * WINDOW, "settled after " + settled);
        for (double t : held.threshold()) {
            assertTrue(t >= 0.05 && t <= 0.95, "within the bounds: " + t);
        }
        // the policy's threshold until a quarter of the window was seen
        assertEquals(0.5, held.threshold()[0], 1e-12);
    }

    @Test
    void theBoundsWinOverTheTarget() {
        Run held = run(policy(", target_escalation_rate: 0.2, gate_threshold_bounds: [0.45, 0.55]"));
        for (double t : held.threshold()) {
            assertTrue(t >= 0.45 && t <= 0.55, "within the bounds: " + t);
        }
        assertTrue(mean(held.escalated(), BEFORE + 500, BEFORE + AFTER) > 0.35, "the bounds keep it from the target");
    }

    @Test
    void theSettingsAreAdmittedLikeEveryOther() {
        InvalidConfigException noBounds =
                assertThrows(InvalidConfigException.class, () -> policy(", target_escalation_rate: 0.2"));
        assertTrue(
                noBounds.getMessage().contains("routes[0].cascade.gate_threshold_bounds: required"),
                noBounds.getMessage());
        InvalidConfigException upsideDown = assertThrows(
                InvalidConfigException.class,
                () -> policy(", target_escalation_rate: 0.2, gate_threshold_bounds: [0.8, 0.3]"));
        assertTrue(upsideDown.getMessage().contains("the min 0.8 is above the max 0.3"), upsideDown.getMessage());
        InvalidConfigException noTarget =
                assertThrows(InvalidConfigException.class, () -> policy(", gate_threshold_bounds: [0.3, 0.8]"));
        assertTrue(noTarget.getMessage().contains("target_escalation_rate: required"), noTarget.getMessage());
        InvalidConfigException window = assertThrows(
                InvalidConfigException.class,
                () -> policy(", target_escalation_rate: 0.2, gate_threshold_bounds: [0.3, 0.8], control_window: 5"));
        assertTrue(window.getMessage().contains("control_window"), window.getMessage());
    }
}
