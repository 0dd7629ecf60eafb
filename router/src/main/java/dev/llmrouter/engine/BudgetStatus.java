package dev.llmrouter.engine;

import java.time.Instant;

/**
 * One budget counter in its current window, as metrics and the admin API show it.
 *
 * @param budget the budget's name
 * @param scope what the counter counts for: {@code *}, a route, an API key's fingerprint, a model or a provider
 * @param kind {@code cap_usd}, {@code quota_requests} or {@code quota_spend}
 * @param used USD spent (a quota of requests: premium requests)
 * @param limit the cap in USD, or the quota's share of the route's total so far
 * @param usedRatio {@code used / limit}
 * @param alertAt the ratio at which the budget's alert fires
 * @param resetsAt when the window ends
 */
public record BudgetStatus(
        String budget,
        String scope,
        String kind,
        double used,
        double limit,
        double usedRatio,
        double alertAt,
        Instant resetsAt) {}
