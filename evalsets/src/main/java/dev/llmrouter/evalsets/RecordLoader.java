package dev.llmrouter.evalsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads labelled traffic (JSON Lines, one record a line) and validates each record; a file that is the
 * server's trace log is read as {@link TraceLogRecords} says. A bad line stops the
 * load with its file, line number and what is wrong, unless invalid lines are to be skipped, in which case
 * they are counted and their first errors kept for the report.
 */
public final class RecordLoader {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Set<String> FIELDS =
            Set.of("id", "source", "category", "split", "prompt", "turns", "outcomes", "intent");
    private static final Set<String> OUTCOME_FIELDS =
            Set.of("score", "raw_score", "cost_usd", "input_tokens", "output_tokens", "output_chars", "response");

    private RecordLoader() {}

    /** What a load produced. {@code skipped} counts invalid lines; {@code problems} holds up to 20 of them. */
    public record Loaded(List<LabelledRecord> records, int skipped, List<String> problems) {
        public Loaded {
            records = List.copyOf(records);
            problems = List.copyOf(problems);
        }
    }

    /** A line that is not a valid record; the message starts with {@code file:line:}. */
    public static final class InvalidRecordException extends IllegalArgumentException {
        public InvalidRecordException(String message) {
            super(message);
        }
    }

    public static Loaded load(List<Path> files, boolean skipInvalid) {
        List<LabelledRecord> records = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int skipped = 0;
        for (Path file : files) {
            if (traceLog(file)) {
                records.addAll(TraceLogRecords.read(file));
                continue;
            }
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                int number = 0;
                while ((line = reader.readLine()) != null) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        records.add(parse(line, file.getFileName().toString(), number));
                    } catch (IllegalArgumentException e) {
                        String problem = file + ":" + number + ": " + e.getMessage();
                        if (!skipInvalid) {
                            throw new InvalidRecordException(problem + " (pass --skip-invalid to skip such lines)");
                        }
                        skipped++;
                        if (problems.size() < 20) {
                            problems.add(problem);
                        }
                    }
                }
            } catch (NoSuchFileException e) {
                throw new InvalidRecordException(file + ": no such file");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return new Loaded(records, skipped, problems);
    }

    /** Whether {@code file} is the server's trace log (its first line a trace or feedback line). */
    public static boolean traceLog(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    return TraceLogRecords.isTraceLog(line);
                }
            }
            return false;
        } catch (NoSuchFileException e) {
            throw new InvalidRecordException(file + ": no such file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Parses one line; throws {@link IllegalArgumentException} saying what is wrong. */
    static LabelledRecord parse(String line, String file, int lineNumber) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException("unknown field '" + name + "'");
            }
        }
        String id = text(node, "id", true);
        String prompt = text(node, "prompt", true);
        if (prompt.isBlank()) {
            throw new IllegalArgumentException("prompt: must not be empty");
        }
        List<String> turns = new ArrayList<>();
        JsonNode rawTurns = node.get("turns");
        if (rawTurns != null && !rawTurns.isNull()) {
            if (!rawTurns.isArray()) {
                throw new IllegalArgumentException("turns: expected a list of strings");
            }
            for (int i = 0; i < rawTurns.size(); i++) {
                if (!rawTurns.get(i).isTextual()) {
                    throw new IllegalArgumentException("turns[" + i + "]: expected a string");
                }
                turns.add(rawTurns.get(i).asText());
            }
        }
        if (!turns.isEmpty() && turns.getLast().equals(prompt)) {
            // a file may list every user turn up to the prompt itself (RouteLLM's MT-bench set does): a record
            // keeps the turns before it, so a second turn is a conversation of two user messages, not three
            turns.removeLast();
        }
        Optional<String> split = Optional.of(text(node, "split", false)).filter(s -> !s.isEmpty());
        Optional<String> intent = Optional.of(text(node, "intent", false)).filter(s -> !s.isEmpty());
        Map<String, LabelledRecord.Outcome> outcomes =
                intent.isPresent() && node.get("outcomes") == null ? Map.of() : outcomes(node.get("outcomes"));
        return new LabelledRecord(
                id,
                text(node, "source", false),
                text(node, "category", false),
                split,
                prompt,
                turns,
                outcomes,
                intent,
                file,
                lineNumber);
    }

    private static Map<String, LabelledRecord.Outcome> outcomes(JsonNode node) {
        if (node == null || !node.isObject() || node.isEmpty()) {
            throw new IllegalArgumentException("outcomes: expected an object with at least one model");
        }
        Map<String, LabelledRecord.Outcome> outcomes = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> outcomes.put(e.getKey(), outcome("outcomes." + e.getKey(), e.getValue())));
        return outcomes;
    }

    private static LabelledRecord.Outcome outcome(String path, JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(path + ": expected an object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!OUTCOME_FIELDS.contains(name)) {
                throw new IllegalArgumentException(path + ": unknown field '" + name + "'");
            }
        }
        JsonNode score = node.get("score");
        if (score == null || !score.isNumber() || score.asDouble() < 0 || score.asDouble() > 1) {
            throw new IllegalArgumentException(path + ".score: expected a number in [0, 1], got " + score);
        }
        OptionalDouble cost = OptionalDouble.empty();
        JsonNode c = node.get("cost_usd");
        if (c != null && !c.isNull()) {
            if (!c.isNumber() || c.asDouble() < 0) {
                throw new IllegalArgumentException(path + ".cost_usd: expected a non-negative number, got " + c);
            }
            cost = OptionalDouble.of(c.asDouble());
        }
        JsonNode response = node.get("response");
        if (response != null && !response.isNull() && !response.isTextual()) {
            throw new IllegalArgumentException(path + ".response: expected a string");
        }
        return new LabelledRecord.Outcome(
                score.asDouble(),
                cost,
                count(node, path, "input_tokens"),
                count(node, path, "output_tokens"),
                count(node, path, "output_chars"),
                response == null || response.isNull() ? Optional.empty() : Optional.of(response.asText()));
    }

    private static OptionalInt count(JsonNode node, String path, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return OptionalInt.empty();
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 0) {
            throw new IllegalArgumentException(
                    path + "." + field + ": expected a non-negative whole number, got " + value);
        }
        return OptionalInt.of(value.asInt());
    }

    private static String text(JsonNode node, String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new IllegalArgumentException(field + ": required");
            }
            return "";
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + ": expected a string, got " + value);
        }
        return value.asText();
    }
}
