package dev.llmrouter.engine;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a trace keeps of fields a caller fills freely (metadata, risk class): at most {@link #MAX_ENTRIES}
 * metadata entries, keys of {@link #MAX_KEY_CHARS} and values of {@link #MAX_VALUE_CHARS} characters; a
 * longer text is cut and ends in {@code …}. Routing itself sees the fields whole; only the record is capped,
 * so a caller cannot make each trace line as large as its request.
 */
final class CallerFields {
    static final int MAX_ENTRIES = 32;
    static final int MAX_KEY_CHARS = 64;
    static final int MAX_VALUE_CHARS = 256;

    private CallerFields() {}

    /** The first {@link #MAX_ENTRIES} entries in key order, keys and values capped. */
    static Map<String, String> metadata(Map<String, String> metadata) {
        Map<String, String> kept = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
            if (kept.size() == MAX_ENTRIES) {
                break;
            }
            kept.put(cut(e.getKey(), MAX_KEY_CHARS), cut(e.getValue(), MAX_VALUE_CHARS));
        }
        return kept;
    }

    /** Entries left out or cut short. */
    static int cappedMetadata(Map<String, String> metadata) {
        int dropped = Math.max(0, metadata.size() - MAX_ENTRIES);
        int seen = 0;
        for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
            if (seen++ == MAX_ENTRIES) {
                break;
            }
            if (e.getKey().length() > MAX_KEY_CHARS || e.getValue().length() > MAX_VALUE_CHARS) {
                dropped++;
            }
        }
        return dropped;
    }

    /** A single free text (a risk class name) capped as a value is. */
    static String text(String value) {
        return cut(value, MAX_VALUE_CHARS);
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
