package dev.llmrouter.provider;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from text an upstream sent (error bodies, error events, malformed answers) before any
 * of it is cut short, kept in a failure message, shown to a caller or written to a trace. Redacting first
 * matters: a key that straddles a length cut would otherwise survive as all but its last characters.
 *
 * <p>What is removed: the provider key in use, wherever it appears; the value after a credential's name
 * ({@code Authorization:}, {@code x-api-key=}, {@code "api_key": "..."}, ...); bearer and basic credentials;
 * and tokens shaped like provider keys ({@code sk-...}, {@code AIza...}).
 */
final class Redaction {
    static final String MARK = "[redacted]";

    /** A credential's name, its separator, and its value (a scheme such as "Bearer " included). */
    private static final Pattern NAMED =
            Pattern.compile("(?i)((?:proxy-)?authorization|x-api-key|x-goog-api-key|api[-_]?key"
                    + "|access[-_]?token|client[-_]?secret|password)([\"']?\\s*[:=]\\s*[\"']?)"
                    + "((?:bearer|basic|token)\\s+)?[^\\s\"',;}&]+");
    /** A bearer or basic credential anywhere, and tokens shaped like OpenAI, Anthropic or Google keys. */
    private static final Pattern TOKENS = Pattern.compile("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=-]{4,}"
            + "|\\b(?:sk|pk|rk)-[A-Za-z0-9_-]{6,}"
            + "|\\bAIza[0-9A-Za-z_-]{16,}");

    private Redaction() {}

    /** {@code text} without the key in use (when given) and without anything shaped like a credential. */
    static String scrub(String text, Optional<String> secret) {
        String out = text;
        if (secret.isPresent() && !secret.get().isEmpty()) {
            out = out.replace(secret.get(), MARK);
        }
        out = NAMED.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + MARK));
        return TOKENS.matcher(out).replaceAll(m -> m.group(1) != null ? m.group(1) + " " + MARK : MARK);
    }

    /**
     * A message that was already cut short with {@code marker} (for instance {@code "..."}) with the key in use
     * removed: whole occurrences, and the key's beginning when it is what stands right before the cut.
     */
    static String scrubCut(String message, Optional<String> secret, String marker) {
        if (secret.isEmpty() || secret.get().isEmpty()) {
            return message;
        }
        String key = secret.get();
        String out = message.replace(key, MARK);
        int cut = out.lastIndexOf(marker);
        if (cut < 0) {
            return out;
        }
        String before = out.substring(0, cut);
        for (int length = Math.min(key.length() - 1, before.length()); length >= 1; length--) {
            if (before.endsWith(key.substring(0, length))) {
                return before.substring(0, before.length() - length) + MARK + out.substring(cut);
            }
        }
        return out;
    }
}
