package dev.llmrouter.engine;

import java.nio.charset.StandardCharsets;

/**
 * Seeded draws from a string (a trace id, a caller's key): the same string always draws the same, so a draw can
 * be recomputed from the log. Exploration and the shadow or canary candidate draw with it, each with its own
 * salt.
 */
public final class HashDraw {
    private HashDraw() {}

    /** FNV-1a over UTF-8, then SplitMix64's finaliser: a well-spread 64-bit hash. */
    public static long hash(String text) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    /** A uniform number in [0, 1) drawn from {@code text}. */
    public static double unit(String text) {
        return (hash(text) >>> 11) * 0x1.0p-53;
    }
}
