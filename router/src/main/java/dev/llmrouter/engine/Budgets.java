package dev.llmrouter.engine;

import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.policy.Budget;
import dev.llmrouter.policy.Route;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policy's budgets over the router's {@link RouterState}: which counters a call charges, what the planner
 * may still start (a model whose worst case would break a cap or a quota is filtered out), and each call's
 * reservation of its worst case before it is made, settled to its actual cost after. Counters are in nano-USD
 * (requests for a quota of requests), so sums are exact.
 */
final class Budgets {
    static final double NANOS_PER_USD = 1e9;
    /** How long a reservation outlives its call's total timeout before it is released as never settled. */
    private static final Duration SETTLE_GRACE = Duration.ofMinutes(1);

    private final List<Budget> budgets;
    private final RouterState state;
    private final RouterClock clock;
    /** Counters charged in this process, for {@link #status}: key to what it counts. */
    private final Map<String, Counted> seen = new ConcurrentHashMap<>();

    private record Counted(Budget budget, String scope, Instant start, Optional<String> totalKey) {}

    Budgets(List<Budget> budgets, RouterState state, RouterClock clock) {
        this.budgets = List.copyOf(budgets);
        this.state = state;
        this.clock = clock;
    }

    boolean none() {
        return budgets.isEmpty();
    }

    /**
     * The global budgets' counters, and every other counter this process charged, in their current windows, read
     * from the state (so a replica that has not served yet shows what the others spent under a global cap).
     */
    List<BudgetStatus> status(Instant now) {
        for (Budget b : budgets) {
            if (b.per() == Budget.Per.GLOBAL) {
                Instant start = windowStart(b, now);
                String base = base(b, start, "*");
                boolean quota = b.limit() instanceof Budget.Quota;
                seen.putIfAbsent(
                        base + (quota ? ":premium" : ":spent"),
                        new Counted(b, "*", start, quota ? Optional.of(base + ":all") : Optional.empty()));
            }
        }
        List<Map.Entry<String, Counted>> live = seen.entrySet().stream()
                .filter(e -> windowStart(e.getValue().budget, now).equals(e.getValue().start))
                .toList();
        seen.values().removeIf(c -> !windowStart(c.budget, now).equals(c.start));
        List<String> keys = new ArrayList<>();
        live.forEach(e -> {
            keys.add(e.getKey());
            keys.add(e.getValue().totalKey.orElse(e.getKey()));
        });
        long[] used = keys.isEmpty() ? new long[0] : state.used(keys, now);
        List<BudgetStatus> out = new ArrayList<>();
        for (int i = 0; i < live.size(); i++) {
            Counted c = live.get(i).getValue();
            Instant resets = c.start.plus(c.budget.window());
            if (c.budget.limit() instanceof Budget.Cap cap) {
                double usd = used[2 * i] / NANOS_PER_USD;
                out.add(new BudgetStatus(
                        c.budget.name(),
                        c.scope,
                        "cap_usd",
                        usd,
                        cap.usd(),
                        ratio(usd, cap.usd()),
                        c.budget.alertAt(),
                        resets));
            } else if (c.budget.limit() instanceof Budget.Quota q) {
                double premium = q.of() == Budget.Quota.Of.SPEND ? used[2 * i] / NANOS_PER_USD : used[2 * i];
                double total = q.of() == Budget.Quota.Of.SPEND ? used[2 * i + 1] / NANOS_PER_USD : used[2 * i + 1];
                double limit = q.share() * total;
                out.add(new BudgetStatus(
                        c.budget.name(),
                        c.scope,
                        "quota_" + q.of().name().toLowerCase(java.util.Locale.ROOT),
                        premium,
                        limit,
                        ratio(premium, limit),
                        c.budget.alertAt(),
                        resets));
            }
        }
        return out;
    }

    private static double ratio(double used, double limit) {
        return limit <= 0 ? (used > 0 ? 1 : 0) : used / limit;
    }

    /** The amounts in use of every counter a request on {@code route} may charge, read once at planning. */
    Sheet sheet(Route route, String apiKey, List<ModelSpec> models, Instant now) {
        Sheet sheet = new Sheet(route, apiKey, now);
        if (budgets.isEmpty()) {
            return sheet;
        }
        List<String> keys = new ArrayList<>();
        for (ModelSpec m : models) {
            for (Line line : sheet.lines(m)) {
                keys.add(line.key);
                line.totalKey.ifPresent(keys::add);
            }
        }
        List<String> unique = keys.stream().distinct().toList();
        long[] used = unique.isEmpty() ? new long[0] : state.recentlyUsed(unique, now);
        for (int i = 0; i < used.length; i++) {
            sheet.used.put(unique.get(i), used[i]);
        }
        return sheet;
    }

    /** One budget as it applies to a call on one model: its counter and, for a quota, the route's total. */
    private record Line(
            Budget budget, String scope, String key, Optional<String> totalKey, Instant resetsAt, boolean capped) {}

    /**
     * Why a model may not be charged: the budget, the counter's use against its limit, when it resets; or, when
     * the shared state does not answer ({@code unavailable}), that the budget refuses until it does.
     */
    record Exhausted(Budget budget, String scope, double used, double limit, Instant resetsAt, boolean unavailable) {
        Exhausted(Budget budget, String scope, double used, double limit, Instant resetsAt) {
            this(budget, scope, used, limit, resetsAt, false);
        }

        String reason() {
            return unavailable
                    ? "budget_state_unavailable"
                    : budget.limit() instanceof Budget.Quota ? "quota_reached" : "budget_exhausted";
        }
    }

    /** How soon a caller refused because the shared state did not answer is told to retry. */
    static final Duration UNAVAILABLE_RETRY = Duration.ofSeconds(5);

    /** The budgets as one request sees them; reservations go through it so a request counts once per quota. */
    final class Sheet {
        private final Route route;
        private final String apiKey;
        private final Instant now;
        private final Map<String, Long> used = new HashMap<>();
        private final java.util.Set<String> counted = new java.util.HashSet<>();
        private Optional<String> open = Optional.empty();
        private List<Reserved> reserved = List.of();
        private int reservations;

        private Sheet(Route route, String apiKey, Instant now) {
            this.route = route;
            this.apiKey = apiKey;
            this.now = now;
        }

        boolean none() {
            return budgets.isEmpty();
        }

        private List<Line> lines(ModelSpec m) {
            List<Line> lines = new ArrayList<>();
            for (Budget b : budgets) {
                if (!b.scope().covers(route.name(), m.id(), m.provider(), apiKey)) {
                    continue;
                }
                String scope =
                        switch (b.per()) {
                            case GLOBAL -> "*";
                            case ROUTE -> route.name();
                            case API_KEY -> apiKey;
                            case MODEL -> m.id();
                            case PROVIDER -> m.provider();
                        };
                Instant start = windowStart(b, now);
                String base = base(b, start, scope);
                Instant resets = start.plus(b.window());
                if (b.limit() instanceof Budget.Quota q) {
                    lines.add(new Line(
                            b,
                            scope,
                            base + ":premium",
                            Optional.of(base + ":all"),
                            resets,
                            q.premium(m.id(), m.tier())));
                } else {
                    boolean capped = b.onExhausted() == Budget.OnExhausted.REFUSE
                            || m.tier() > b.degradeTo().orElse(0);
                    lines.add(new Line(b, scope, base + ":spent", Optional.empty(), resets, capped));
                }
            }
            return lines;
        }

        /** The first budget the model's worst case would break by the amounts read at planning. */
        Optional<Exhausted> check(ModelSpec m, long worstNanos) {
            for (Line line : lines(m)) {
                if (!line.capped) {
                    continue;
                }
                long used = this.used.getOrDefault(line.key, 0L);
                if (line.budget.limit() instanceof Budget.Cap cap) {
                    long limit = nanos(cap.usd());
                    if (used + worstNanos > limit) {
                        return Optional.of(
                                new Exhausted(line.budget, line.scope, used / NANOS_PER_USD, cap.usd(), line.resetsAt));
                    }
                } else if (line.budget.limit() instanceof Budget.Quota q) {
                    long total = this.used.getOrDefault(line.totalKey.get(), 0L);
                    long amount = q.of() == Budget.Quota.Of.SPEND ? worstNanos : 1;
                    if (used + amount > Math.floor(q.share() * (total + amount))) {
                        return Optional.of(
                                new Exhausted(line.budget, line.scope, used, q.share() * total, line.resetsAt));
                    }
                }
            }
            return Optional.empty();
        }

        /**
         * Reserves the call's worst case on every counter it charges: empty when reserved, else the budget it
         * would break. At most one reservation is open at a time; {@link #settle} closes it.
         */
        Optional<Exhausted> reserve(ModelSpec m, long worstNanos, Duration callTimeout, String id) {
            if (budgets.isEmpty()) {
                return Optional.empty();
            }
            List<Line> lines = lines(m);
            List<Reserved> planned = charges(lines, worstNanos);
            List<RouterState.Charge> charges =
                    planned.stream().map(Reserved::charge).toList();
            String name = id + "#" + (++reservations);
            int broken =
                    state.reserve(name, charges, now(), now().plus(callTimeout).plus(SETTLE_GRACE));
            if (broken >= 0 && !state.connected()) {
                Line line = lineOf(lines, charges.get(broken));
                return Optional.of(
                        new Exhausted(line.budget, line.scope, 0, limitOf(line), now().plus(UNAVAILABLE_RETRY), true));
            }
            if (broken >= 0) {
                Line line = lineOf(lines, charges.get(broken));
                return Optional.of(new Exhausted(
                        line.budget, line.scope, usedNow(line.key, line.budget), limitOf(line), line.resetsAt));
            }
            open = Optional.of(name);
            reserved = planned;
            for (Line line : lines) {
                seen.putIfAbsent(
                        line.key, new Counted(line.budget, line.scope, windowStart(line.budget, now), line.totalKey));
                if (line.totalKey.isPresent()) {
                    counted.add(line.totalKey.get());
                    if (line.capped) {
                        counted.add(line.key);
                    }
                }
            }
            return Optional.empty();
        }

        /** Settles the open reservation at the call's actual cost (0 for a call that failed). */
        void settle(double actualUsd) {
            if (open.isEmpty()) {
                return;
            }
            long actual = nanos(actualUsd);
            List<RouterState.Charge> settled = new ArrayList<>();
            for (Reserved r : reserved) {
                RouterState.Charge c = r.charge();
                long amount = r.spend() && c.amount() > 0 ? actual : c.amount();
                settled.add(
                        new RouterState.Charge(c.counter(), amount, c.limit(), c.shareOf(), c.share(), c.keepUntil()));
            }
            state.settle(open.get(), settled, now());
            open = Optional.empty();
            reserved = List.of();
        }

        /** A charge of a reservation, and whether it is spend (settled at the actual cost) or a count. */
        private record Reserved(RouterState.Charge charge, boolean spend) {}

        private List<Reserved> charges(List<Line> lines, long worst) {
            Map<String, Reserved> charges = new LinkedHashMap<>();
            for (Line line : lines) {
                Instant keep = line.resetsAt.plus(Duration.ofDays(1));
                if (line.budget.limit() instanceof Budget.Cap cap) {
                    charges.put(
                            line.key,
                            new Reserved(
                                    line.capped
                                            ? RouterState.Charge.capped(line.key, worst, nanos(cap.usd()), keep)
                                            : RouterState.Charge.counted(line.key, worst, keep),
                                    true));
                } else if (line.budget.limit() instanceof Budget.Quota q) {
                    boolean spend = q.of() == Budget.Quota.Of.SPEND;
                    String total = line.totalKey.get();
                    long totalAmount = spend ? worst : (counted.contains(total) ? 0 : 1);
                    long premiumAmount = !line.capped ? 0 : spend ? worst : (counted.contains(line.key) ? 0 : 1);
                    charges.put(total, new Reserved(RouterState.Charge.counted(total, totalAmount, keep), spend));
                    charges.put(
                            line.key,
                            new Reserved(
                                    RouterState.Charge.shareOf(line.key, premiumAmount, total, q.share(), keep),
                                    spend));
                }
            }
            return List.copyOf(charges.values());
        }

        private Line lineOf(List<Line> lines, RouterState.Charge charge) {
            return lines.stream()
                    .filter(l -> l.key.equals(charge.counter()) || l.totalKey.equals(Optional.of(charge.counter())))
                    .findFirst()
                    .orElseThrow();
        }

        private double usedNow(String key, Budget b) {
            long used = state.used(List.of(key), now())[0];
            return b.limit() instanceof Budget.Quota q && q.of() == Budget.Quota.Of.REQUESTS
                    ? used
                    : used / NANOS_PER_USD;
        }

        private double limitOf(Line line) {
            if (line.budget.limit() instanceof Budget.Cap cap) {
                return cap.usd();
            }
            Budget.Quota q = (Budget.Quota) line.budget.limit();
            long total = state.used(List.of(line.totalKey.get()), now())[0];
            return q.share() * (q.of() == Budget.Quota.Of.SPEND ? total / NANOS_PER_USD : total);
        }

        private Instant now() {
            return clock.now();
        }
    }

    /** The start of a counter's key: the budget, its window's start and the scope it counts for. */
    private static String base(Budget b, Instant windowStart, String scope) {
        return "budget:" + b.name() + ":" + windowStart.getEpochSecond() + ":" + scope;
    }

    /** The start of the window of {@code budget} that holds {@code now}: windows are aligned to the epoch. */
    static Instant windowStart(Budget budget, Instant now) {
        long length = budget.window().toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), length) * length);
    }

    static long nanos(double usd) {
        return (long) Math.ceil(usd * NANOS_PER_USD - 1e-6);
    }

    /**
     * The most a call may cost at list price: every byte of the messages and parameters as an input token (a
     * byte-level tokenizer never makes more tokens than bytes), plus a per-message overhead, and the whole of
     * {@code max_tokens} (the model's output limit when the request sets none).
     */
    static long worstCaseNanos(ModelSpec model, ChatRequest mutated) {
        long input = 3;
        for (Message message : mutated.messages()) {
            input += 4 + message.text().getBytes(StandardCharsets.UTF_8).length;
        }
        for (var p : mutated.parameters().values()) {
            input += p.toString().getBytes(StandardCharsets.UTF_8).length;
        }
        long output = mutated.maxTokens().orElse(model.maxOutputTokens());
        double usd = (input * model.inputPrice() + output * model.outputPrice()) / 1_000_000.0;
        return nanos(usd);
    }
}
