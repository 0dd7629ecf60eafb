package dev.llmrouter.engine;

import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.policy.RiskClass;
import dev.llmrouter.policy.Route;
import dev.llmrouter.request.Capability;
import dev.llmrouter.request.ChatRequest;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A hard constraint on which models may serve a request. A filter that removes a model says why, with a
 * reason code and the values it compared; the trace keeps both.
 */
sealed interface CandidateFilter {
    /** Every filter, in the order they are asked; the first that rejects a model is the one recorded. */
    List<CandidateFilter> ALL = List.of(
            new RouteModelsFilter(),
            new RiskClassFilter(),
            new RegionFilter(),
            new TierFilter(),
            new CapabilityFilter(),
            new ContextWindowFilter(),
            new PriceCeilingFilter(),
            new CooldownFilter(),
            new BudgetFilter());

    String name();

    Optional<Rejection> check(ModelSpec model, Input in);

    /** What a filter sees. */
    record Input(
            ChatRequest request,
            int promptTokens,
            Route route,
            RiskClass risk,
            Instant now,
            Cooldowns cooldowns,
            Budgets.Sheet budgets) {}

    record Rejection(String reason, Map<String, Object> values) {
        static Optional<Rejection> of(String reason, Object... keyValues) {
            Map<String, Object> values = new TreeMap<>();
            for (int i = 0; i < keyValues.length; i += 2) {
                values.put((String) keyValues[i], keyValues[i + 1]);
            }
            return Optional.of(new Rejection(reason, values));
        }
    }

    /** The route's allowed_models and denied_models. */
    record RouteModelsFilter() implements CandidateFilter {
        public String name() {
            return "route_models";
        }

        public Optional<Rejection> check(ModelSpec model, Input in) {
            Route.Filter f = in.route().filter();
            if (f.deniedModels().contains(model.id())) {
                return Rejection.of("denied_by_route", "route", in.route().name());
            }
            if (!f.allowedModels().isEmpty() && !f.allowedModels().contains(model.id())) {
                return Rejection.of("not_allowed_by_route", "route", in.route().name());
            }
            return Optional.empty();
        }
    }

    /** The models and regions the request's risk class allows. */
    record RiskClassFilter() implements CandidateFilter {
        public String name() {
            return "risk_class";
        }

        public Optional<Rejection> check(ModelSpec model, Input in) {
            RiskClass risk = in.risk();
            if (!risk.allowedModels().isEmpty() && !risk.allowedModels().contains(model.id())) {
                return Rejection.of("model_not_allowed_for_risk_class", "risk_class", risk.name());
            }
            if (!risk.regions().isEmpty() && !risk.regions().contains(model.region())) {
                return Rejection.of(
                        "region_not_allowed_for_risk_class",
                        "risk_class",
                        risk.name(),
                        "region",
                        model.region(),
                        "allowed",
                        sorted(risk.regions()));
            }
            return Optional.empty();
        }
    }

    record RegionFilter() implements CandidateFilter {
        public String name() {
            return "region";
        }

        public Optional<Rejection> check(ModelSpec model, Input in) {
            Set<String> regions = in.route().filter().regions();
            if (!regions.isEmpty() && !regions.contains(model.region())) {
                return Rejection.of("region_not_allowed", "region", model.region(), "allowed", sorted(regions));
            }
            return Optional.empty();
        }
    }

    record TierFilter() implements CandidateFilter {
        public String name() {
            return "tier";
        }

        public Optional<Rejection> check(ModelSpec model, Input in) {
            Route.Filter f = in.route().filter();
            if (model.tier() < f.minTier() || model.tier() > f.maxTier()) {
                return Rejection.of("tier_out_of_range", "tier", model.tier(), "min", f.minTier(), "max", f.maxTier());
            }
            return Optional.empty();
        }
    }

    /** What the request needs (tools, JSON output, vision, streaming, logprobs) plus what the route demands. */
    record CapabilityFilter() implements CandidateFilter {
        public String name() {
            return "capabilities";
        }

        public Optional<Rejection> check(ModelSpec model, Input in) {
            EnumSet<Capability> needed = EnumSet.noneOf(Capability.class);
            needed.addAll(in.request().requiredCapabilities());
            needed.addAll(in.route().filter().capabilities());
            // logprobs the caller asked for are needed like any capability: dropping them would change the
            // answer's shape without telling the caller
            boolean drop = in.route().mutate().dropUnsupported();
            needed.removeAll(model.capabilities());
            if (!needed.isEmpty()) {
                return Rejection.of(
                        "missing_capability",
                        "missing",
                        needed.stream().map(Capability::key).sorted().toList());
            }
            if (!drop) {
                List<String> rejected = model.unsupportedParams().stream()
                        .filter(in.request().parameters()::containsKey)
                        .sorted()
                        .toList();
                if (!rejected.isEmpty()) {
                    return Rejection.of("unsupported_parameter", "parameters", rejected);
                }
            }
            return Optional.empty();
        }
    }

    /** The prompt plus the output budget must fit the model's context window. */
    record ContextWindowFilter() implements CandidateFilter {
        public String name() {
            return "context_window";
        }

        public Optional<Rejection> check(ModelSpec model, Input in) {
            int requested = OutputBudget.requested(in.request(), in.route());
            if (!in.route().mutate().clampMaxTokens() && requested > model.maxOutputTokens()) {
                return Rejection.of(
                        "max_tokens_over_model_limit", "max_tokens", requested, "model_limit", model.maxOutputTokens());
            }
            int output = OutputBudget.onModel(in.request(), in.route(), model);
            int needed = (int) Math.min(Integer.MAX_VALUE, (long) in.promptTokens() + output);
            if (needed > model.contextWindow()) {
                return Rejection.of(
                        "context_too_small",
                        "needed_tokens",
                        needed,
                        "context_window",
                        model.contextWindow(),
                        "prompt_tokens",
                        in.promptTokens(),
                        "output_tokens",
                        output);
            }
            return Optional.empty();
        }
    }

    /** The route's price ceilings: per million tokens, and for this request's worst case. */
    record PriceCeilingFilter() implements CandidateFilter {
        public String name() {
            return "price_ceiling";
        }

        public Optional<Rejection> check(ModelSpec model, Input in) {
            Route.Filter f = in.route().filter();
            if (f.maxInputPrice().isPresent()
                    && model.inputPrice() > f.maxInputPrice().getAsDouble()) {
                return Rejection.of(
                        "input_price_over_ceiling",
                        "price",
                        model.inputPrice(),
                        "ceiling",
                        f.maxInputPrice().getAsDouble());
            }
            if (f.maxOutputPrice().isPresent()
                    && model.outputPrice() > f.maxOutputPrice().getAsDouble()) {
                return Rejection.of(
                        "output_price_over_ceiling",
                        "price",
                        model.outputPrice(),
                        "ceiling",
                        f.maxOutputPrice().getAsDouble());
            }
            if (f.maxRequestCost().isPresent()) {
                double worst = model.costUsd(in.promptTokens(), OutputBudget.onModel(in.request(), in.route(), model));
                if (worst > f.maxRequestCost().getAsDouble()) {
                    return Rejection.of(
                            "request_cost_over_ceiling",
                            "worst_case_usd",
                            worst,
                            "ceiling",
                            f.maxRequestCost().getAsDouble());
                }
            }
            return Optional.empty();
        }
    }

    /** A model that kept failing is skipped until its cooldown ends. */
    record CooldownFilter() implements CandidateFilter {
        public String name() {
            return "cooldown";
        }

        public Optional<Rejection> check(ModelSpec model, Input in) {
            return in.cooldowns()
                    .coolingUntil(model.id(), in.now())
                    .flatMap(until -> Rejection.of("cooling_down", "until", until.toString()));
        }
    }

    /**
     * The policy's budgets: a model whose worst-case call (after mutation) would take a cap or a quota past its
     * limit, by the counters read at planning. The reservation before each call is what holds exactly.
     */
    record BudgetFilter() implements CandidateFilter {
        public String name() {
            return "budget";
        }

        public Optional<Rejection> check(ModelSpec model, Input in) {
            if (in.budgets().none()) {
                return Optional.empty();
            }
            long worst = Budgets.worstCaseNanos(
                    model, Mutator.apply(in.request(), in.route(), model).request());
            return in.budgets()
                    .check(model, worst)
                    .flatMap(e -> Rejection.of(
                            e.reason(),
                            "budget",
                            e.budget().name(),
                            "scope",
                            e.scope(),
                            "used",
                            round(e.used()),
                            "limit",
                            round(e.limit()),
                            "on_exhausted",
                            e.budget().onExhausted().name().toLowerCase(java.util.Locale.ROOT),
                            "resets_at",
                            e.resetsAt().toString()));
        }

        private static double round(double v) {
            return Math.round(v * 1e6) / 1e6;
        }
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }
}
