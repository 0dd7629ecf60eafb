package dev.llmrouter.engine;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.gate.AnswerGate;
import dev.llmrouter.gate.GateScore;
import dev.llmrouter.policy.Route;
import dev.llmrouter.provider.ClientGone;
import dev.llmrouter.provider.Completion;
import dev.llmrouter.provider.ErrorKind;
import dev.llmrouter.provider.ProviderCall;
import dev.llmrouter.provider.ProviderClient;
import dev.llmrouter.provider.ProviderFailure;
import dev.llmrouter.provider.StreamSink;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.DecisionTrace.ErrorView;
import dev.llmrouter.trace.DecisionTrace.FailureKind;
import dev.llmrouter.trace.DecisionTrace.GateView;
import dev.llmrouter.trace.DecisionTrace.Role;
import dev.llmrouter.trace.DecisionTrace.Verdict;
import dev.llmrouter.trace.Escalation;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The cascade and the fallback as one ordered chain, in one place. Each step calls one model; its answer
 * is gated (accept, or escalate one tier up), its failure recovered as its {@link ErrorKind} fixes (wait
 * and retry, next model, larger-context model, or back to the caller). One instance serves one request.
 */
final class AttemptChain {
    private final Plan plan;
    private final Route route;
    private final TraceRecorder trace;
    private final Catalog catalog;
    private final Map<String, ProviderClient> providers;
    private final AnswerGate gate;
    private final RouterClock clock;
    private final Cooldowns cooldowns;
    private final ThresholdControl thresholds;
    private final StreamSink client;
    private final String traceId;
    private final boolean streaming;
    private final boolean cascade;
    private final Set<String> excluded = new HashSet<>();
    private final Set<String> retried = new HashSet<>();
    private boolean bytesSent;
    /** The best answer the gate sent up so far: served if no stronger attempt succeeds. */
    private Optional<Held> held = Optional.empty();

    private sealed interface Step {}

    private record Accepted(Completion completion, ModelSpec model) implements Step {}

    private record Escalate(ModelSpec next, Held from) implements Step {}

    /** An answer the gate scored below the threshold, kept in case every stronger attempt fails. */
    private record Held(Completion completion, ModelSpec model, double score) {
        boolean beats(Held other) {
            return score > other.score || (score == other.score && model.tier() >= other.model.tier());
        }
    }

    private record Failed(ProviderFailure failure) implements Step {}

    private record Abandoned() implements Step {}

    /** The call was not made: its reservation would have broken a budget. */
    private record Denied(Budgets.Exhausted exhausted) implements Step {}

    AttemptChain(
            Plan plan,
            TraceRecorder trace,
            Catalog catalog,
            Map<String, ProviderClient> providers,
            AnswerGate gate,
            RouterClock clock,
            Cooldowns cooldowns,
            ThresholdControl thresholds,
            StreamSink client,
            String traceId) {
        this.traceId = traceId;
        this.plan = plan;
        this.route = plan.route();
        this.trace = trace;
        this.catalog = catalog;
        this.providers = providers;
        this.gate = gate;
        this.clock = clock;
        this.cooldowns = cooldowns;
        this.thresholds = thresholds;
        this.client = client;
        this.streaming = plan.request().stream();
        this.cascade = route.cascade().enabled()
                && !(streaming && route.cascade().streaming() == Route.Cascade.Streaming.SKIP);
    }

    RouteResult run() {
        ModelSpec model = plan.start();
        Role role = Role.START;
        int escalations = 0;
        while (true) {
            Step step = attempt(model, role, escalations);
            switch (step) {
                case Accepted a -> {
                    return new RouteResult.Served(
                            a.completion(),
                            a.model().id(),
                            trace.finish(
                                    DecisionTrace.Outcome.SERVED,
                                    Optional.of(a.model().id()),
                                    Optional.empty()));
                }
                case Abandoned a -> {
                    return abandoned();
                }
                case Denied d -> {
                    Optional<ModelSpec> next =
                            trace.attemptCount() < route.fallback().maxAttempts()
                                    ? nextModel(model, m -> true)
                                    : Optional.empty();
                    if (next.isEmpty()) {
                        return overBudget(d.exhausted());
                    }
                    role = Role.FALLBACK;
                    model = next.get();
                }
                case Escalate e -> {
                    if (held.isEmpty() || e.from().beats(held.get())) {
                        held = Optional.of(e.from());
                    }
                    excluded.add(model.id());
                    model = e.next();
                    role = Role.ESCALATION;
                    escalations++;
                }
                case Failed f -> {
                    ErrorKind kind = f.failure().kind();
                    if (bytesSent || !kind.recovery().canMoveOn()) {
                        return failed(f.failure(), outcomeOf(f.failure()), "");
                    }
                    if (!route.fallback().moveOn().contains(kind)) {
                        return failed(
                                f.failure(),
                                DecisionTrace.Outcome.UPSTREAM_FAILED,
                                "route " + route.name() + " does not move on " + kind.key() + ": ");
                    }
                    if (trace.attemptCount() >= route.fallback().maxAttempts()) {
                        return failed(
                                f.failure(),
                                DecisionTrace.Outcome.UPSTREAM_FAILED,
                                "max_attempts " + route.fallback().maxAttempts() + " of route " + route.name()
                                        + " used up; last error: ");
                    }
                    Optional<ModelSpec> next = recover(model, f.failure());
                    if (next.isEmpty()) {
                        return failed(
                                f.failure(),
                                DecisionTrace.Outcome.UPSTREAM_FAILED,
                                "no model left to fall back to; last error: ");
                    }
                    role = next.get().equals(model) ? Role.RETRY : Role.FALLBACK;
                    model = next.get();
                }
            }
        }
    }

    private Step attempt(ModelSpec model, Role role, int escalations) {
        if (trace.attemptCount() > 0) {
            try {
                client.beforeAttempt();
            } catch (ClientGone gone) {
                return new Abandoned();
            }
        }
        Mutator.Mutated mutated = Mutator.apply(plan.request(), route, model);
        ProviderCall call = new ProviderCall(
                model.upstreamId(), mutated.request(), catalog.providerOf(model).timeouts());
        Optional<ModelSpec> higher = escalations < route.cascade().maxEscalations()
                        && trace.attemptCount() + 1 < route.fallback().maxAttempts()
                ? plan.nextTier(model, excludedWith(model))
                : Optional.empty();
        boolean mayEscalate = cascade && higher.isPresent();
        boolean direct = streaming && !mayEscalate;
        long worst = plan.budgets().none() ? 0 : Budgets.worstCaseNanos(model, mutated.request());
        Optional<Budgets.Exhausted> denied =
                plan.budgets().reserve(model, worst, call.timeouts().total(), traceId);
        if (denied.isPresent()) {
            trace.failedAttempt(
                    model.id(),
                    role,
                    0,
                    mutated.changes(),
                    new ErrorView(
                            FailureKind.BUDGET_EXHAUSTED, Optional.empty(), describe(denied.get()), Optional.empty()));
            return new Denied(denied.get());
        }
        long started = clock.nanoTime();
        Completion answer;
        try {
            answer = send(model, call, direct);
        } catch (ClientGone gone) {
            plan.budgets().settle(worst / Budgets.NANOS_PER_USD); // cut mid-call: what it used is unknown
            trace.failedAttempt(
                    model.id(),
                    role,
                    millisSince(started),
                    mutated.changes(),
                    new ErrorView(FailureKind.CLIENT_CLOSED, Optional.empty(), gone.getMessage(), Optional.empty()));
            return new Abandoned();
        } catch (ProviderFailure failure) {
            // an error answer is not billed; a timeout or a cut connection may have been: count the worst case
            plan.budgets().settle(failure.httpStatus().isPresent() ? 0 : worst / Budgets.NANOS_PER_USD);
            trace.failedAttempt(model.id(), role, millisSince(started), mutated.changes(), errorView(failure));
            cooldowns.failure(model.id(), route.fallback(), clock.now()).ifPresent(trace::cooldown);
            return new Failed(failure);
        }
        double latency = millisSince(started);
        cooldowns.success(model.id(), clock.now());
        double usd = model.costUsd(answer.usage().inputTokens(), answer.usage().outputTokens());
        plan.budgets().settle(usd);
        double cost = TraceRecorder.round(usd);
        Judged judged = judge(model, role, mutated.request(), answer, mayEscalate ? higher : Optional.empty());
        trace.answeredAttempt(
                model.id(),
                role,
                latency,
                answer.usage().inputTokens(),
                answer.usage().outputTokens(),
                cost,
                mutated.changes(),
                judged.view());
        if (judged.step() instanceof Accepted
                && streaming
                && !direct
                && !answer.text().isEmpty()) {
            try {
                client.onModel(model.id(), escalation());
                client.onText(answer.text());
            } catch (ClientGone gone) {
                return new Abandoned();
            }
        }
        return judged.step();
    }

    /**
     * Calls the model: whole, streamed straight to the caller ({@code direct}), or streamed but held back until
     * the gate has seen the answer.
     */
    private Completion send(ModelSpec model, ProviderCall call, boolean direct) throws ProviderFailure {
        ProviderClient provider = providers.get(model.provider());
        if (!streaming) {
            return provider.complete(call);
        }
        if (!direct) {
            return provider.stream(call, StreamSink.discarding());
        }
        return provider.stream(call, delta -> {
            if (!delta.isEmpty()) {
                if (!bytesSent) {
                    client.onModel(model.id(), escalation());
                }
                bytesSent = true;
                client.onText(delta);
            }
        });
    }

    /** The gate's view of an answer and the step it leads to. */
    private record Judged(Optional<GateView> view, Step step) {}

    /**
     * Under a cascade, the gate judges the answer: accepted, escalated to {@code higher} (present only when
     * an escalation may be made), or final. Without one the answer is accepted unjudged.
     */
    private Judged judge(
            ModelSpec model, Role role, ChatRequest request, Completion answer, Optional<ModelSpec> higher) {
        if (!cascade) {
            return new Judged(Optional.empty(), new Accepted(answer, model));
        }
        GateScore score = gate.score(request, plan.classification(), answer);
        double threshold = thresholds.threshold(route);
        if (role == Role.START && higher.isPresent()) {
            thresholds.observe(route, score.score()); // the answers whose verdict decides the escalation rate
        }
        Verdict verdict =
                score.score() >= threshold ? Verdict.ACCEPT : higher.isPresent() ? Verdict.ESCALATE : Verdict.FINAL;
        Optional<GateView> view =
                Optional.of(new GateView(TraceRecorder.round(score.score()), threshold, verdict, score.reasons()));
        if (verdict != Verdict.ESCALATE) {
            return new Judged(view, new Accepted(answer, model));
        }
        trace.escalated(model.id() + " -> " + higher.get().id() + ": gate score "
                + String.format(java.util.Locale.ROOT, "%.3f", score.score()) + " < " + threshold + " "
                + score.reasons());
        return new Judged(view, new Escalate(higher.get(), new Held(answer, model, score.score())));
    }

    /** The model to try after a failure that may move on (the same one after a wait), or empty if none is left. */
    private Optional<ModelSpec> recover(ModelSpec model, ProviderFailure failure) {
        switch (failure.kind().recovery()) {
            case WAIT_OR_NEXT_MODEL -> {
                Optional<Duration> wait = failure.retryAfter();
                if (wait.isPresent()
                        && wait.get().compareTo(route.fallback().maxRetryAfter()) <= 0
                        && retried.add(model.id())) {
                    try {
                        clock.sleep(wait.get());
                        return Optional.of(model);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return Optional.empty();
                    }
                }
                return nextModel(model, m -> true);
            }
            case NEXT_MODEL -> {
                return nextModel(model, m -> true);
            }
            case LARGER_CONTEXT_MODEL -> {
                return nextModel(model, m -> m.contextWindow() > model.contextWindow());
            }
            case RETURN_TO_CALLER -> {
                return Optional.empty();
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /**
     * The fallback chain: the route's failover list first, then the ladder: the same tier, then higher
     * tiers going up, then lower tiers going down. Models that failed, were escalated from or are cooling
     * down are skipped.
     */
    private Optional<ModelSpec> nextModel(ModelSpec failed, Predicate<ModelSpec> suitable) {
        excluded.add(failed.id());
        Predicate<ModelSpec> open = m -> !excluded.contains(m.id())
                && cooldowns.coolingUntil(m.id(), clock.now()).isEmpty()
                && suitable.test(m);
        for (String id : route.select().failover()) {
            Optional<ModelSpec> listed =
                    plan.ladder().stream().filter(m -> m.id().equals(id)).findFirst();
            if (listed.isPresent() && open.test(listed.get())) {
                return listed;
            }
        }
        List<ModelSpec> ladder = plan.ladder();
        Comparator<ModelSpec> chain = Comparator.comparingInt((ModelSpec m) -> distance(failed.tier(), m.tier()))
                .thenComparingInt(ladder::indexOf);
        return ladder.stream().filter(open).min(chain);
    }

    /** Same tier first, then higher tiers nearest first, then lower tiers nearest first. */
    private static int distance(int from, int to) {
        return to >= from ? 2 * (to - from) : 2 * (from - to) + 1000;
    }

    private Set<String> excludedWith(ModelSpec model) {
        Set<String> set = new HashSet<>(excluded);
        set.add(model.id());
        return set;
    }

    private DecisionTrace.Outcome outcomeOf(ProviderFailure failure) {
        if (bytesSent) {
            return DecisionTrace.Outcome.STREAM_BROKEN;
        }
        return failure.kind().recovery().canMoveOn()
                ? DecisionTrace.Outcome.UPSTREAM_FAILED
                : DecisionTrace.Outcome.RETURNED_TO_CALLER;
    }

    private Escalation escalation() {
        return trace.hasEscalated() ? Escalation.ESCALATED : Escalation.NONE;
    }

    /**
     * The request's end when an attempt failed and no other may follow: the held answer when the gate had
     * asked for a stronger one, nothing reached the caller yet and the route serves it; else the failure.
     */
    private RouteResult failed(ProviderFailure failure, DecisionTrace.Outcome outcome, String context) {
        String error = context + failure.kind().key() + ": " + failure.getMessage();
        if (held.isPresent()
                && !bytesSent
                && route.cascade().onEscalationFailure() == Route.Cascade.OnEscalationFailure.SERVE) {
            return serveHeld(held.get(), error);
        }
        return new RouteResult.Failed(failure, trace.finish(outcome, Optional.empty(), Optional.of(error)));
    }

    /**
     * The end when a budget denied the last model left: the held answer when the gate had asked for a stronger
     * one and the route serves it; else a refusal until the budget's window resets.
     */
    private RouteResult overBudget(Budgets.Exhausted exhausted) {
        String error = describe(exhausted);
        if (held.isPresent()
                && !bytesSent
                && route.cascade().onEscalationFailure() == Route.Cascade.OnEscalationFailure.SERVE) {
            return serveHeld(held.get(), error);
        }
        return new RouteResult.Refused(
                List.of(error),
                trace.finish(DecisionTrace.Outcome.BUDGET_EXHAUSTED, Optional.empty(), Optional.of(error)),
                Optional.of(exhausted.resetsAt()));
    }

    private static String describe(Budgets.Exhausted e) {
        if (e.unavailable()) {
            return e.reason() + ": budget " + e.budget().name() + " (" + e.scope() + ") refuses the calls it caps"
                    + " while the shared state does not answer";
        }
        return e.reason() + ": budget " + e.budget().name() + " (" + e.scope() + ") "
                + String.format(java.util.Locale.ROOT, "%.6f", e.used()) + " used of "
                + String.format(java.util.Locale.ROOT, "%.6f", e.limit()) + ", resets at " + e.resetsAt();
    }

    private RouteResult abandoned() {
        return new RouteResult.Abandoned(trace.finish(
                DecisionTrace.Outcome.CLIENT_CLOSED, Optional.empty(), Optional.of("the client went away")));
    }

    private RouteResult serveHeld(Held best, String error) {
        String why = "escalation failed, served the answer of " + best.model().id() + " (gate score "
                + String.format(java.util.Locale.ROOT, "%.3f", best.score()) + "): " + error;
        if (streaming && !best.completion().text().isEmpty()) {
            try {
                client.onModel(best.model().id(), Escalation.FAILED);
                client.onText(best.completion().text());
            } catch (ClientGone gone) {
                return abandoned();
            }
        }
        return new RouteResult.Served(
                best.completion(),
                best.model().id(),
                trace.finish(
                        DecisionTrace.Outcome.SERVED_UNESCALATED,
                        Optional.of(best.model().id()),
                        Optional.of(why)));
    }

    private double millisSince(long startedNanos) {
        return TraceRecorder.round((clock.nanoTime() - startedNanos) / 1_000_000.0);
    }

    static ErrorView errorView(ProviderFailure f) {
        return new ErrorView(
                TraceRecorder.failureKind(f.kind()),
                f.httpStatus().isPresent() ? Optional.of(f.httpStatus().getAsInt()) : Optional.empty(),
                f.getMessage(),
                f.retryAfter().map(Duration::toMillis));
    }
}
