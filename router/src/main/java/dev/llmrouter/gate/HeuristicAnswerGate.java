package dev.llmrouter.gate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.provider.Completion;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A rule-based gate, honest about being one: it finds answers that are certainly bad (empty, cut off by
 * the token limit, a refusal, invalid JSON when JSON was asked for) and, when the provider returned token
 * log probabilities, uses their geometric mean as the confidence. Without logprobs an answer that passes
 * every check scores {@value #UNCHECKED_SCORE}: the gate cannot tell a wrong answer from a right one, and says
 * so in its reasons. The learned gate replaces it.
 */
public final class HeuristicAnswerGate implements AnswerGate {
    static final double UNCHECKED_SCORE = 0.75;
    private static final ObjectReader STRICT_JSON =
            Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern REFUSAL = Pattern.compile(
            "^\\s*(i'?m sorry|i am sorry|sorry)?[^.]{0,40}\\b(i can't|i cannot|i'm unable to|i am unable to|"
                    + "i won't be able to)\\s+(help|assist|comply|provide|do that)|as an ai( language model)?,? i");
    private static final ClassifierInfo INFO = new ClassifierInfo(
            "heuristic-gate-v1", dev.llmrouter.config.Sha256.hex("heuristic-gate-v1|" + REFUSAL.pattern()));

    @Override
    public ClassifierInfo info() {
        return INFO;
    }

    @Override
    public GateScore score(ChatRequest request, Classification classification, Completion answer) {
        List<String> reasons = new ArrayList<>();
        double score = 1.0;
        String text = answer.text().strip();
        if (text.isEmpty() && answer.toolCalls().isEmpty()) {
            return new GateScore(0.0, List.of("empty"));
        }
        if (answer.truncated()) {
            score = Math.min(score, 0.2);
            reasons.add("truncated");
        }
        if (answer.finishReason().equals("content_filter")) {
            score = Math.min(score, 0.1);
            reasons.add("content_filter");
        }
        if (REFUSAL.matcher(text.toLowerCase(Locale.ROOT).replace('\u2019', '\''))
                .find()) {
            score = Math.min(score, 0.15);
            reasons.add("refusal");
        }
        if (request.wantsJson() && answer.toolCalls().isEmpty() && !validJson(text)) {
            score = 0.0;
            reasons.add("invalid_json");
        }
        if (!answer.tokenLogprobs().isEmpty()) {
            double mean = answer.tokenLogprobs().stream()
                    .mapToDouble(Double::doubleValue)
                    .average()
                    .orElse(0);
            score = Math.min(score, Math.exp(mean));
            reasons.add("logprobs");
        } else if (reasons.isEmpty()) {
            score = UNCHECKED_SCORE;
            reasons.add("no_check_failed");
        }
        return new GateScore(Math.max(0, Math.min(1, score)), reasons);
    }

    private static boolean validJson(String text) {
        String body = text;
        if (body.startsWith("```")) {
            body = body.replaceFirst("^```[a-zA-Z]*\\s*", "").replaceFirst("\\s*```\\s*$", "");
        }
        try {
            return !body.isBlank() && STRICT_JSON.readTree(body) != null;
        } catch (JsonProcessingException e) {
            return false;
        }
    }
}
