package dev.llmrouter.evalsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
 * when it escalated from it. An answer with neither (no gate on the route, or the last tier, and no
 * feedback) says nothing and is left out, as is a request with no outcome left or whose prompt the log did
 * not keep ({@code trace.prompts: hash|none}).
 */
final class TraceLogRecords {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private TraceLogRecords() {}

    /** Whether {@code firstLine} is a trace-log line rather than a labelled record. */
    static boolean isTraceLog(String firstLine) {
        return firstLine.contains("\"type\"") && firstLine.trim().startsWith("{\"type\":");
    }

    /** Every labelled record the log yields; throws when it yields none, saying why. */
    static List<LabelledRecord> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, Double> feedback = new HashMap<>();
        for (String line : lines) {
            JsonNode node = tree(file, line);
            if (node != null && node.path("type").asText().equals("feedback")) {
                feedback.put(node.path("trace_id").asText(), node.path("score").asDouble());
            }
        }
        List<LabelledRecord> records = new java.util.ArrayList<>();
        int traces = 0;
        int withoutPrompt = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode node = tree(file, lines.get(i));
            if (node == null || !node.path("type").asText().equals("trace")) {
                continue;
            }
            traces++;
            if (!node.path("prompt").isTextual()) {
                withoutPrompt++;
                continue;
            }
            record(node, feedback, file.getFileName().toString(), i + 1).ifPresent(records::add);
        }
        if (records.isEmpty()) {
            throw new RecordLoader.InvalidRecordException(
                    file + ": a trace log with " + traces + " traces yields no"
                            + " labelled record"
                            + (withoutPrompt > 0
                                    ? ": " + withoutPrompt
                                            + " kept no prompt (run the server with router.trace.prompts: full"
                                            + " to train on its logs)"
                                    : ": no answer was gated or scored (send feedback to /v1/feedback, or enable the cascade)"));
        }
        return records;
    }

    private static Optional<LabelledRecord> record(
            JsonNode line, Map<String, Double> feedback, String file, int number) {
        DecisionTrace trace;
        try {
            trace = TraceJson.fromTree(line.path("trace"));
        } catch (IllegalArgumentException e) {
            throw new RecordLoader.InvalidRecordException(file + ":" + number + ": " + e.getMessage());
        }
        String id = trace.traceId();
        String served = trace.servedBy().orElse("");
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
                            : verdict.equals(Optional.of(DecisionTrace.Verdict.ESCALATE))
                                    ? OptionalDouble.of(0)
                                    : OptionalDouble.empty();
            if (score.isPresent()) {
                outcomes.put(
                        model,
                        new LabelledRecord.Outcome(
                                score.getAsDouble(),
                                OptionalDouble.of(attempt.costUsd()),
                                OptionalInt.of(attempt.inputTokens()),
                                OptionalInt.of(attempt.outputTokens()),
                                OptionalInt.empty(),
                                Optional.empty()));
            }
        }
        if (outcomes.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new LabelledRecord(
                id,
                "router-trace",
                trace.route().orElse("none"),
                Optional.empty(),
                line.path("prompt").asText(),
                List.of(),
                outcomes,
                Optional.empty(),
                file,
                number));
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
