package dev.llmrouter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.config.Documents;
import dev.llmrouter.config.InvalidConfigException;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.provider.ScriptedProvider;
import dev.llmrouter.provider.StreamSink;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.trace.DecisionTrace;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The policy's {@code budgets}: a cap refuses (429) or degrades once a call's worst case no longer fits, a
 * premium quota holds its share, counters are per window and per scope, and a reservation before each call holds
 * the cap exactly under concurrency.
 */
class BudgetTest {
    static final ChatRequest REQUEST = Fixtures.MEETING_NOTES;

    static Policy policy(String routes, String budgets) {
        return PolicyLoader.admit(
                Documents.parse("id: t\nversion: 1\nroutes:\n" + routes + "budgets:\n" + budgets, "policy"),
                "policy",
                Fixtures.catalog(),
                Fixtures.INTENTS);
    }

    static final String CHEAP_ROUTE = "  - name: all\n    select: {start: small-a}\n";
    static final String BIG_ROUTE = "  - name: all\n    select: {start: big}\n";

    static Router router(Policy policy, RouterClock clock, ScriptedProvider provider) {
        return Router.builder()
                .catalog(Fixtures.catalog())
                .policy(policy)
                .classifier(new FixedClassifier(Scenario.EASY))
                .provider("fake", provider)
                .clock(clock)
                .build();
    }

    /** small-a's cost for the scripted answer (100 tokens in, 50 out at 0.10 / 0.40 per million). */
    static final double SMALL_A_CALL = (100 * 0.10 + 50 * 0.40) / 1e6;

    @Test
    void aRefusingCapServesUntilTheNextCallsWorstCaseNoLongerFitsThenRefusesUntilTheWindowResets() {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T10:00:00Z"));
        ScriptedProvider provider = new ScriptedProvider(clock);
        Router router = router(
                policy(
                        CHEAP_ROUTE + "    filter: {allowed_models: [small-a]}\n",
                        "  - {name: day, window: daily, cap_usd: 0.0003}\n"),
                clock,
                provider);
        int served = 0;
        RouteResult last;
        while ((last = router.route(REQUEST)) instanceof RouteResult.Served) {
            served++;
        }
        // each call reserves ~0.0000348 (bytes in, 50 out) and settles 0.00003: nine settle, the tenth cannot fit
        RouteResult.Refused refused = assertInstanceOf(RouteResult.Refused.class, last);
        assertEquals(Optional.of(Instant.parse("2026-01-02T00:00:00Z")), refused.budgetResetsAt());
        assertEquals(DecisionTrace.Outcome.BUDGET_EXHAUSTED, refused.trace().outcome());
        DecisionTrace.CandidateView small = refused.trace().candidates().stream()
                .filter(c -> c.model().equals("small-a"))
                .findFirst()
                .orElseThrow();
        assertEquals(Optional.of("budget"), small.rejectedBy());
        assertEquals("day", small.values().get("budget"));
        double spent = served * SMALL_A_CALL;
        assertTrue(spent <= 0.0003 + 1e-12, "spent " + spent);
        assertTrue(0.0003 - spent < 0.0000348 + 1e-9, "stops within one worst case of the cap: " + spent);
        assertEquals(served, provider.calls().size(), "a refused request calls nothing");
        assertEquals(
                1,
                Router.builder()
                        .catalog(Fixtures.catalog())
                        .policy(router.policy())
                        .classifier(new FixedClassifier(Scenario.EASY))
                        .provider("fake", provider)
                        .clock(clock)
                        .state(router.state())
                        .build()
                        .budgets()
                        .size(),
                "a router sharing the state shows a global cap's counter before it charged it");
        List<BudgetStatus> status = router.budgets();
        assertEquals(1, status.size());
        assertEquals(spent, status.get(0).used(), 1e-9);
        RouteResult.Refused pinned = assertInstanceOf(
                RouteResult.Refused.class,
                router.route(REQUEST, new Target.OfModel("small-a"), StreamSink.discarding()));
        assertEquals(refused.budgetResetsAt(), pinned.budgetResetsAt(), "a pinned model over budget is a 429 too");
        clock.advance(Duration.ofHours(14));
        assertInstanceOf(RouteResult.Served.class, router.route(REQUEST), "a new day, a new window");
    }

    @Test
    void underThousandsOfConcurrentRequestsSpendStopsAtTheCapAndNotOneRequestOver() throws Exception {
        ScriptedProvider provider = new ScriptedProvider(new FakeClock());
        double cap = 0.003; // about a hundred calls
        Router router = router(
                policy(
                        CHEAP_ROUTE + "    filter: {allowed_models: [small-a]}\n",
                        "  - {name: day, window: daily, cap_usd: " + cap + "}\n"),
                RouterClock.system(),
                provider);
        List<Future<RouteResult>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 3000; i++) {
                results.add(pool.submit(() -> router.route(REQUEST)));
            }
        }
        int served = 0;
        for (Future<RouteResult> r : results) {
            if (r.get() instanceof RouteResult.Served) {
                served++;
            } else {
                assertInstanceOf(RouteResult.Refused.class, r.get());
            }
        }
        double spent = provider.calls().size() * SMALL_A_CALL;
        assertEquals(served, provider.calls().size());
        assertTrue(spent <= cap + 1e-12, "spent " + spent + " over the cap " + cap);
        assertTrue(served >= (int) ((cap - 0.0000348) / SMALL_A_CALL) - 1, "the cap is used up: " + served);
        assertEquals(spent, router.budgets().get(0).used(), 1e-9, "counter equals what the calls cost");
    }

    @Test
    void aDegradingCapLimitsTheRouteToItsTierOnceReachedAndStillCountsTheCheaperSpend() {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T10:00:00Z"));
        Router router = router(
                policy(
                        BIG_ROUTE,
                        "  - {name: day, window: daily, cap_usd: 0.002, on_exhausted: degrade, degrade_to: 1}\n"),
                clock,
                new ScriptedProvider(clock));
        List<String> servedBy = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            servedBy.add(((RouteResult.Served) router.route(REQUEST)).model());
        }
        // big: 100 * 5 + 50 * 20 = 0.0015 a call, worst case ~0.0017: one fits under 0.002, then tier 1 serves
        assertEquals("big", servedBy.get(0));
        assertTrue(servedBy.subList(1, 10).stream().allMatch(m -> m.startsWith("small")), servedBy.toString());
        DecisionTrace trace = router.explain(REQUEST);
        DecisionTrace.CandidateView big = trace.candidates().stream()
                .filter(c -> c.model().equals("big"))
                .findFirst()
                .orElseThrow();
        assertEquals(Optional.of("budget"), big.rejectedBy());
        assertEquals("degrade", big.values().get("on_exhausted"));
        assertTrue(router.budgets().get(0).used() > 0.0015, "tier-1 spend is counted past the cap too");
    }

    @Test
    void aPremiumQuotaHoldsTheShareOfTheRoutesRequestsOnItsModels() {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T10:00:00Z"));
        Router router = router(
                policy(BIG_ROUTE, "  - {name: premium, window: hourly, quota: {share: 0.25, min_tier: 3}}\n"),
                clock,
                new ScriptedProvider(clock));
        int premium = 0;
        for (int i = 1; i <= 200; i++) {
            String model = ((RouteResult.Served) router.route(REQUEST)).model();
            if (model.startsWith("big")) {
                premium++;
            }
            assertTrue(premium <= 0.25 * i, "at request " + i + ": " + premium + " premium");
        }
        assertEquals(50, premium, "the quota is used, not wasted");
        BudgetStatus status = router.budgets().get(0);
        assertEquals("quota_requests", status.kind());
        assertEquals(50, status.used(), 1e-9);
        assertEquals(50, status.limit(), 1e-9);
    }

    @Test
    void aQuotaOfSpendKeepsThePremiumModelsUnderTheirShareOfTheRoutesSpend() {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T10:00:00Z"));
        ScriptedProvider provider = new ScriptedProvider(clock);
        Router router = router(
                policy(
                        BIG_ROUTE,
                        "  - {name: premium, window: daily, quota: {share: 0.5, of: spend, models: [big]}}\n"),
                clock,
                provider);
        double premium = 0;
        double total = 0;
        for (int i = 0; i < 300; i++) {
            RouteResult.Served served = (RouteResult.Served) router.route(REQUEST);
            double cost = served.trace().totalCostUsd();
            total += cost;
            premium += served.model().equals("big") ? cost : 0;
            assertTrue(premium <= 0.5 * total + 1e-12, "at request " + i + ": " + premium + " of " + total);
        }
        // big costs 0.0015 a call and small-a 0.00003: big serves once the cheap spend (and its worst case) allows
        assertTrue(premium > 0.4 * total, "the quota is used: " + premium + " of " + total);
        assertEquals("quota_spend", router.budgets().get(0).kind());
    }

    @Test
    void aCapPerApiKeyKeepsACounterForEachKey() {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T10:00:00Z"));
        Router router = router(
                policy(
                        CHEAP_ROUTE + "    filter: {allowed_models: [small-a]}\n",
                        "  - {name: team, window: 1h, per: api_key, cap_usd: 0.0001}\n"),
                clock,
                new ScriptedProvider(clock));
        String a = "sha256:aaaaaaaaaaaa";
        String b = "sha256:bbbbbbbbbbbb";
        int servedA = 0;
        while (router.route(REQUEST, Target.AUTO, StreamSink.discarding(), "t", a) instanceof RouteResult.Served) {
            servedA++;
        }
        // 0.00006 settled + a worst case of 0.0000348 fits; 0.00009 + 0.0000348 does not
        assertEquals(3, servedA);
        assertInstanceOf(RouteResult.Served.class, router.route(REQUEST, Target.AUTO, StreamSink.discarding(), "u", b));
        assertEquals(2, router.budgets().size());
    }

    @Test
    void anEscalationTheBudgetDeniesServesTheAnswerTheGateHeld() {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T10:00:00Z"));
        ScriptedProvider provider =
                new ScriptedProvider(clock).script("small-a", ScriptedProvider.truncated("half an ans"));
        Router router = router(
                policy(
                        CHEAP_ROUTE + "    filter: {allowed_models: [small-a, mid]}\n    cascade: {enabled: true}\n",
                        // mid's worst case (~0.000347) fits at planning; after small-a's 0.00003 it does not
                        "  - {name: day, window: daily, cap_usd: 0.00036, models: [small-a, mid]}\n"),
                clock,
                provider);
        RouteResult result = router.route(REQUEST);
        RouteResult.Served served = assertInstanceOf(RouteResult.Served.class, result);
        assertEquals("small-a", served.model());
        assertEquals(DecisionTrace.Outcome.SERVED_UNESCALATED, served.trace().outcome());
        assertTrue(
                served.trace().error().orElseThrow().contains("budget day"),
                served.trace().error().toString());
        assertEquals(List.of("small-a"), provider.calledModels());
    }

    @Test
    void aRetryAndAStreamEachReserveTheirOwnCallAndSettleWhatTheyCost() {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T10:00:00Z"));
        ScriptedProvider provider =
                new ScriptedProvider(clock).script("small-a", ScriptedProvider.rateLimited(Duration.ofMillis(200)));
        Router router = router(
                policy(
                        CHEAP_ROUTE + "    filter: {allowed_models: [small-a]}\n",
                        "  - {name: day, window: daily, cap_usd: 1}\n"),
                clock,
                provider);
        // a 429, a wait, the same model again: two reservations, the error settled at 0, the answer at its cost
        RouteResult.Served retried = (RouteResult.Served) router.route(REQUEST);
        assertEquals(2, retried.trace().attempts().size());
        assertEquals(SMALL_A_CALL, router.budgets().get(0).used(), 1e-12);
        // streamed straight to the caller: settled at the usage the stream reported
        StringBuilder streamed = new StringBuilder();
        RouteResult.Served stream =
                (RouteResult.Served) router.route(REQUEST.withStream(true), Target.AUTO, streamed::append);
        assertEquals("answer from small-a", streamed.toString());
        assertEquals(1, stream.trace().attempts().size());
        assertEquals(2 * SMALL_A_CALL, router.budgets().get(0).used(), 1e-12);
    }

    @Test
    void aReservationNeverSettledIsReleasedWhenItExpires() {
        RouterState state = RouterState.inMemory();
        Instant now = Instant.parse("2026-01-01T10:00:00Z");
        Instant keep = now.plus(Duration.ofDays(2));
        assertEquals(
                -1,
                state.reserve("r1", List.of(RouterState.Charge.capped("c", 70, 100, keep)), now, now.plusSeconds(60)));
        assertEquals(
                0,
                state.reserve("r2", List.of(RouterState.Charge.capped("c", 40, 100, keep)), now, now.plusSeconds(60)),
                "70 + 40 > 100");
        assertEquals(70, state.used(List.of("c"), now.plusSeconds(59))[0]);
        assertEquals(0, state.used(List.of("c"), now.plusSeconds(61))[0], "the crashed call's reservation expired");
        state.settle("r1", List.of(RouterState.Charge.counted("c", 65, keep)), now.plusSeconds(90));
        assertEquals(65, state.used(List.of("c"), now.plusSeconds(90))[0], "a late settlement still counts");
    }

    @Test
    void budgetsAreAdmittedWithEveryErrorAtItsPath() {
        InvalidConfigException e = assertThrows(
                InvalidConfigException.class,
                () -> policy(
                        CHEAP_ROUTE,
                        "  - {name: a, cap_usd: 5}\n"
                                + "  - {name: b, window: daily, cap_usd: 5, quota: {share: 0.1, min_tier: 3}}\n"
                                + "  - {name: c, window: daily, quota: {share: 0.1, min_tier: 3}, on_exhausted: refuse}\n"
                                + "  - {name: d, window: daily, cap_usd: 5, on_exhausted: degrade}\n"
                                + "  - {name: e, window: 7m, cap_usd: 5, routes: [nowhere]}\n"
                                + "  - {name: f, window: daily, cap_usd: 5, api_keys: [sk-live-123]}\n"
                                + "  - {name: g, window: daily, cap_usd: 5, per: team}\n"
                                + "  - {name: g, window: daily, quota: {share: 0.2}}\n"));
        List<String> errors = e.errors();
        List<String> expected = List.of(
                "budgets[0].window: required",
                "budgets[1]: give cap_usd or quota, not both",
                "budgets[2].on_exhausted: a quota only degrades",
                "budgets[3].degrade_to: required with on_exhausted: degrade",
                "budgets[4].window: a window under a day must divide the day",
                "budgets[4].routes[0]: unknown route 'nowhere'",
                "budgets[5].api_keys[0]: name a key by its fingerprint",
                "budgets[6].per: unknown scope 'team'",
                "budgets[7].name: budget name 'g' is used twice",
                "budgets[7].quota: name the premium models");
        for (String prefix : expected) {
            assertTrue(errors.stream().anyMatch(p -> p.startsWith(prefix)), prefix + " in " + errors);
        }
        assertTrue(
                errors.stream().noneMatch(p -> p.contains("sk-live-123")), "a key never reaches an error: " + errors);
    }
}
