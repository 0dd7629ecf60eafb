package dev.llmrouter.classify;

import dev.llmrouter.config.Sha256;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.TextWindow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A hand-written classifier, honest about being one: keyword cues for the intent and prompt length,
 * code, math notation, multi-part asks and conversation length for the difficulty. It has not been trained
 * on anything and its probabilities are not calibrated; it exists so the engine runs end to end before a
 * learned model is installed, and as the baseline a learned model must beat.
 */
public final class HeuristicClassifier implements Classifier {
    private static final Map<String, List<String>> CUES = Map.of(
            "code",
                    List.of(
                            "```",
                            "code",
                            "function",
                            "python",
                            "java",
                            "javascript",
                            "sql",
                            "regex",
                            "bug",
                            "compile",
                            "stack trace",
                            "def ",
                            "class ",
                            "api",
                            "implement",
                            "refactor",
                            "unit test"),
            "math",
                    List.of(
                            "calculate",
                            "solve",
                            "equation",
                            "integral",
                            "derivative",
                            "probability",
                            "how many",
                            "percent",
                            "sum of",
                            "+",
                            "=",
                            "^",
                            "sqrt",
                            "average",
                            "total"),
            "reasoning",
                    List.of(
                            "why",
                            "explain",
                            "prove",
                            "logic",
                            "puzzle",
                            "step by step",
                            "reason",
                            "compare",
                            "which of the following",
                            "analy"),
            "knowledge",
                    List.of(
                            "what is",
                            "who ",
                            "when did",
                            "where is",
                            "define",
                            "history",
                            "capital of",
                            "meaning of",
                            "fact"),
            "writing",
                    List.of(
                            "write", "essay", "poem", "story", "email", "rewrite", "draft", "letter", "tone", "blog",
                            "slogan"),
            "extraction",
                    List.of("extract", "summar", "list all", "json", "table", "parse", "classify", "tag", "key points"),
            "support",
                    List.of(
                            "my account",
                            "my card",
                            "refund",
                            "password",
                            "my order",
                            "payment",
                            "transfer",
                            "charged",
                            "cancel",
                            "deliver",
                            "balance"),
            "chat", List.of("hello", "hi ", "thanks", "thank you", "how are you", "good morning", "chat"));
    private static final Pattern MATH = Pattern.compile("[0-9]+\\s*[-+*/^=]\\s*[0-9(]|\\\\frac|\\$[^$]+\\$");
    private static final Pattern HARD = Pattern.compile(
            "\\b(prove|derive|optimi[sz]e|complexity|rigorous|edge cases|concurren|formal|theorem|multi-step)\\b");
    private static final double[] TIER_BASE = {0, 3.0, 3.4, 3.8};
    private static final double[] TIER_SLOPE = {0, 3.6, 2.9, 2.3};

    private final ClassifierInfo info = new ClassifierInfo(
            "heuristic-v1",
            Sha256.hex("heuristic-v1|" + new java.util.TreeMap<>(CUES) + "|" + MATH.pattern() + "|" + HARD.pattern()
                    + "|" + java.util.Arrays.toString(TIER_BASE) + java.util.Arrays.toString(TIER_SLOPE)));

    @Override
    public ClassifierInfo info() {
        return info;
    }

    @Override
    public Set<String> intents() {
        return Set.copyOf(Intents.DEFAULT);
    }

    @Override
    public Classification classify(ChatRequest request) {
        String text = request.lastUserText();
        String window = TextWindow.of(text).toLowerCase(Locale.ROOT);
        boolean math = MATH.matcher(window).find();
        return new Classification(intents(window, math), successByTier(difficulty(request, text, window, math)));
    }

    /** The intent distribution of the lower-case {@code text}; {@code math} when it holds math notation. */
    private static Map<String, Double> intents(String text, boolean math) {
        Map<String, Double> scores = new LinkedHashMap<>();
        double total = 0;
        for (String intent : Intents.DEFAULT) {
            double hits = 0;
            for (String cue : CUES.get(intent)) {
                if (text.contains(cue)) {
                    hits++;
                }
            }
            if (intent.equals("math") && math) {
                hits += 2;
            }
            double score = Math.exp(hits) * (intent.equals("chat") ? 1.5 : 1.0);
            scores.put(intent, score);
            total += score;
        }
        Map<String, Double> probabilities = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            probabilities.put(e.getKey(), e.getValue() / total);
        }
        return probabilities;
    }

    /**
     * A difficulty in [0, 1] from surface features of the request: its last user message {@code text}, and
     * that message's {@link TextWindow} in lower case, where the cues are looked for; {@code math} when the
     * window holds math notation.
     */
    static double difficulty(ChatRequest request, String text, String window, boolean math) {
        double lengthTerm = Math.min(1.0, Math.log1p(text.length()) / Math.log1p(4000));
        double z = -2.0 + 2.2 * lengthTerm;
        if (text.contains("```")) {
            z += 0.7;
        }
        if (math) {
            z += 0.6;
        }
        if (HARD.matcher(window).find()) {
            z += 0.9;
        }
        int asks = 0;
        for (int i = text.indexOf('?'); i >= 0; i = text.indexOf('?', i + 1)) {
            asks++;
        }
        z += 0.25 * Math.min(4, Math.max(0, asks - 1));
        z += 0.2 * Math.min(5, request.userTurns() - 1);
        return 1.0 / (1.0 + Math.exp(-z));
    }

    private static Map<Integer, Double> successByTier(double difficulty) {
        Map<Integer, Double> byTier = new LinkedHashMap<>();
        for (int tier = 1; tier < TIER_BASE.length; tier++) {
            double z = TIER_BASE[tier] - TIER_SLOPE[tier] * difficulty * 1.6;
            byTier.put(tier, 1.0 / (1.0 + Math.exp(-z)));
        }
        return byTier;
    }
}
