package dev.llmrouter.evalsets;

/**
 * One operating point of a router: at this threshold, this share of requests called the strong model and
 * the answers served scored this much on average, for this cost.
 *
 * @param threshold the swept value (a quality floor, a gate threshold, a share for random), or NaN for a
 *     router with one operating point
 * @param strongShare share of requests that called the strong model (a cascade that escalated counts)
 * @param quality mean score of the served answers; a request that got no answer scores 0
 * @param costUsd total cost of every call made, escalated cheap calls included
 * @param escalationRate share of requests the cascade escalated
 */
public record CurvePoint(double threshold, double strongShare, double quality, double costUsd, double escalationRate) {}
