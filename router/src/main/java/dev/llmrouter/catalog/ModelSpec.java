package dev.llmrouter.catalog;

import dev.llmrouter.request.Capability;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One model the router may send requests to.
 *
 * @param id the catalog's name for it; what policies, traces and callers use
 * @param provider the {@link ProviderSpec#name()} that serves it
 * @param upstreamId the provider's own name for the model
 * @param tier 1 for the cheapest, weakest class of model, rising with strength; the cascade climbs tiers
 * @param inputPrice USD per million input tokens
 * @param outputPrice USD per million output tokens
 * @param contextWindow input plus output tokens the model accepts
 * @param maxOutputTokens the most tokens it writes in one answer
 * @param capabilities what it supports beyond plain chat
 * @param region where it is served
 * @param unsupportedParams request parameters it rejects (the mutate verb may drop them)
 * @param firstTokenMs typical time to first token, for the {@code fastest} ranking
 * @param tokensPerSecond typical output speed, for the {@code fastest} ranking
 * @param dataNames the model's names in labelled data (outcome sets), where they differ from its id and
 *     upstream id: a learned classifier that knows the model by one of them predicts its success from its own
 *     ability instead of its tier's (e.g. {@code gpt-4o} as {@code gpt-4o-2024-05-13})
 */
public record ModelSpec(
        String id,
        String provider,
        String upstreamId,
        int tier,
        double inputPrice,
        double outputPrice,
        int contextWindow,
        int maxOutputTokens,
        Set<Capability> capabilities,
        String region,
        Set<String> unsupportedParams,
        int firstTokenMs,
        int tokensPerSecond,
        List<String> dataNames) {

    public ModelSpec {
        dataNames = List.copyOf(dataNames);
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(upstreamId, "upstreamId");
        capabilities = Set.copyOf(capabilities);
        Objects.requireNonNull(region, "region");
        unsupportedParams = Set.copyOf(unsupportedParams);
    }

    /** USD for a call with these token counts at list price. */
    public double costUsd(int inputTokens, int outputTokens) {
        return (inputTokens * inputPrice + outputTokens * outputPrice) / 1_000_000.0;
    }

    /** Typical milliseconds to produce an answer of {@code outputTokens}. */
    public double expectedLatencyMs(int outputTokens) {
        return firstTokenMs + 1000.0 * outputTokens / Math.max(1, tokensPerSecond);
    }
}
