package dev.llmrouter.evalsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.TraceJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The server's trace log (lines {@code {"type": "trace" | "feedback", ...}}) read as labelled records, so the
 * loop from logged traffic back to a model closes. A routed request becomes one record (id: its trace id,
 * category: its route) whose outcomes are what the log knows of each model that answered: the
 * application's feedback score for the model that served, else 1 when the gate accepted the answer and 0
 * when it scored it below the threshold (escalated from it, or served it as final where no stronger tier was
 * left). An answer with neither (no gate on the route, and no feedback) says nothing and is left out, as is a request with no outcome left or whose prompt the log did
 * not keep ({@code trace.prompts: hash|none}).
 *
 * <p>On a route that explores, outcomes are weighted by the inverse of the probability that their model was
 * called on the request, so that training on the log estimates each model's success on all the route's traffic,
 * not only on what the router sent it: a shadow exploration's line ({@code "type": "exploration"}) adds the
 * explored model's outcome (the gate's verdict on its answer) with weight {@code 1 / propensity}; in serve mode
 * every outcome of a request weighs {@code 1 / P(its start model)}: {@code 1 / propensity} when it was explored,
 * {@code 1 / (1 - share)} when not. Weights are clipped at {@value #MAX_WEIGHT}.
 */
public final class TraceLogRecords {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** The largest inverse-propensity weight an outcome gets: a rare draw must not outweigh the whole log. */
    static final double MAX_WEIGHT = 100;

    /** A shadow exploration's outcome: the explored model, its score, the weight it carries. */
    private record Explored(String model, double score, double weight) {}

    private TraceLogRecords() {}

    /** Whether {@code firstLine} is a trace-log line rather than a labelled record. */
    static boolean isTraceLog(String firstLine) {
        return firstLine.contains("\"type\"") && firstLine.trim().startsWith("{\"type\":");
    }

    /**
     * One routed request of a trace log: its route, its prompt when the log kept it, and the outcome of each
     * model the log knows one for (weighted as the class says; empty when none).
     */
    public record Logged(
            String traceId,
            String route,
            Optional<String> prompt,
            List<String> turns,
            Map<String, LabelledRecord.Outcome> outcomes,
            int line,
            DecisionTrace trace) {
        public Logged {
            turns = List.copyOf(turns);
        }

        /**
         * The request again as the log keeps it, when it kept the prompt: the earlier user turns and the prompt
         * as user messages, with the trace's {@code max_tokens}, streaming, metadata and risk class (not the
         * answers between the turns, nor tools or other parameters).
         */
        public Optional<ChatRequest> request() {
            return prompt.map(p -> new ChatRequest(
                    ChatRequest.userTurns(turns, p),
                    trace.request().maxTokens().map(OptionalInt::of).orElse(OptionalInt.empty()),
                    trace.request().stream(),
                    Map.of(),
                    trace.request().metadata(),
                    trace.riskClass()));
        }
    }

    /** Every routed request of the log, in order, outcomes or not. */
    static List<Logged> logged(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, Double> feedback = new HashMap<>();
        Map<String, Explored> explored = new HashMap<>();
        List<JsonNode> nodes = new java.util.ArrayList<>(lines.size());
        for (String line : lines) {
            JsonNode node = tree(file, line);
            nodes.add(node);
            if (node != null && node.path("type").asText().equals("feedback")) {
                feedback.put(node.path("trace_id").asText(), node.path("score").asDouble());
            }
            if (node != null
                    && node.path("type").asText().equals("exploration")
                    && node.path("gate").has("verdict")
                    && node.path("propensity").asDouble() > 0) {
                explored.put(
                        node.path("trace_id").asText(),
                        new Explored(
                                node.path("model").asText(),
                                node.path("gate").path("verdict").asText().equals("accept") ? 1 : 0,
                                weight(node.path("propensity").asDouble())));
            }
        }
        List<Logged> out = new java.util.ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            JsonNode node = nodes.get(i);
            if (node != null && node.path("type").asText().equals("trace")) {
                out.add(logged(node, feedback, explored, file.getFileName().toString(), i + 1));
            }
        }
        return out;
    }

    /** Every labelled record the log yields; throws when it yields none, saying why. */
    static List<LabelledRecord> read(Path file) {
        List<Logged> logged = logged(file);
        List<LabelledRecord> records = new java.util.ArrayList<>();
        int withoutPrompt = 0;
        for (Logged l : logged) {
            if (l.prompt().isEmpty()) {
                withoutPrompt++;
            } else if (!l.outcomes().isEmpty()) {
                records.add(new LabelledRecord(
                        l.traceId(),
                        "router-trace",
                        l.route(),
                        Optional.empty(),
                        l.prompt().get(),
                        l.turns(),
                        l.outcomes(),
                        Optional.empty(),
                        file.getFileName().toString(),
                        l.line()));
            }
        }
        if (records.isEmpty()) {
            throw new RecordLoader.InvalidRecordException(
                    file + ": a trace log with " + logged.size() + " traces yields no"
                            + " labelled record"
                            + (withoutPrompt > 0
                                    ? ": " + withoutPrompt
                                            + " kept no prompt (run the server with router.trace.prompts: full"
                                            + " to train on its logs)"
                                    : ": no answer was gated or scored (send feedback to /v1/feedback, or enable the cascade)"));
        }
        return records;
    }

    private static double weight(double probability) {
        return Math.min(MAX_WEIGHT, 1 / probability);
    }

    private static Logged logged(
            JsonNode line, Map<String, Double> feedback, Map<String, Explored> explored, String file, int number) {
        DecisionTrace trace;
        try {
            trace = TraceJson.fromTree(line.path("trace"));
        } catch (IllegalArgumentException e) {
            throw new RecordLoader.InvalidRecordException(file + ":" + number + ": " + e.getMessage());
        }
        String id = trace.traceId();
        String served = trace.servedBy().orElse("");
        // in serve mode the whole chain follows from the start model, drawn with this probability
        double weight = trace.exploration()
                .filter(e -> e.mode().equals("serve"))
                .map(e -> weight(e.propensity().orElse(1 - e.share())))
                .orElse(1.0);
        Map<String, LabelledRecord.Outcome> outcomes = new LinkedHashMap<>();
        for (DecisionTrace.AttemptView attempt : trace.attempts()) {
            if (attempt.error().isPresent()) {
                continue;
            }
            String model = attempt.model();
            Optional<DecisionTrace.Verdict> verdict = attempt.gate().map(DecisionTrace.GateView::verdict);
            OptionalDouble score = model.equals(served) && feedback.containsKey(id)
                    ? OptionalDouble.of(feedback.get(id))
                    : verdict.equals(Optional.of(DecisionTrace.Verdict.ACCEPT))
                            ? OptionalDouble.of(1)
                            // below the threshold: escalated, or final where no stronger tier was left
                            : verdict.isPresent() ? OptionalDouble.of(0) : OptionalDouble.empty();
            if (score.isPresent()) {
                outcomes.put(
                        model,
                        new LabelledRecord.Outcome(
                                score.getAsDouble(),
                                OptionalDouble.of(attempt.costUsd()),
                                OptionalInt.of(attempt.inputTokens()),
                                OptionalInt.of(attempt.outputTokens()),
                                OptionalInt.empty(),
                                Optional.empty(),
                                weight));
            }
        }
        Explored shadow = explored.get(id);
        if (shadow != null && !outcomes.containsKey(shadow.model())) {
            outcomes.put(
                    shadow.model(),
                    new LabelledRecord.Outcome(
                            shadow.score(),
                            OptionalDouble.empty(),
                            OptionalInt.empty(),
                            OptionalInt.empty(),
                            OptionalInt.empty(),
                            Optional.empty(),
                            shadow.weight()));
        }
        Optional<String> prompt = line.path("prompt").isTextual()
                ? Optional.of(line.path("prompt").asText())
                : Optional.empty();
        List<String> turns = new java.util.ArrayList<>();
        line.path("turns").forEach(t -> turns.add(t.asText()));
        return new Logged(id, trace.route().orElse("none"), prompt, turns, outcomes, number, trace);
    }

    private static JsonNode tree(Path file, String line) {
        if (line.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new RecordLoader.InvalidRecordException(file + ": not a trace-log line: " + e.getMessage());
        }
    }
}
