package dev.llmrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.request.Json;
import dev.llmrouter.server.RouterServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `stats` over a server's trace log reports what the server's own GET /admin/stats reports for that traffic. */
class StatsCommandTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @BeforeAll
    static void home() {
        System.setProperty("llmrouter.home", REPO.toString());
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void theLogsFiguresAreTheServersForTheSameTraffic(@TempDir Path dir) throws Exception {
        JsonNode served;
        try (RouterServer server = Traffic.serve(
                dir,
                dir.resolve("traces"),
                0.15,
                80,
                "Fix this bug: TypeError: undefined is not a function in my React component",
                "What is the capital of Peru?",
                "Prove that there are infinitely many primes.",
                "Summarize this email in two sentences: the meeting moved to Friday.")) {
            HttpResponse<String> stats = Traffic.management(server, "/admin/stats?window=1h");
            assertEquals(200, stats.statusCode(), stats.body());
            served = Json.MAPPER.readTree(stats.body());
        }
        List<String> args = new ArrayList<>(List.of("stats", "--json"));
        try (Stream<Path> files = Files.list(dir.resolve("traces"))) {
            files.sorted().forEach(f -> args.add(f.toString()));
        }
        Run logged = run(args.toArray(String[]::new));
        assertEquals(0, logged.code(), logged.err());
        JsonNode fromLog = Json.MAPPER.readTree(logged.out());

        assertEquals("route", fromLog.path("by").asText());
        assertEquals(served.path("groups").size(), fromLog.path("groups").size());
        long escalated = 0;
        for (var route : (Iterable<Map.Entry<String, JsonNode>>)
                () -> served.path("groups").fields()) {
            JsonNode mine = fromLog.path("groups").path(route.getKey());
            JsonNode theirs = route.getValue();
            for (String field : new String[] {"requests", "served", "escalated", "fallback_requests", "feedbacks"}) {
                assertEquals(theirs.path(field).asLong(), mine.path(field).asLong(), route.getKey() + " " + field);
            }
            for (String field : new String[] {"escalation_rate", "fallback_rate", "cost_usd", "feedback_mean"}) {
                assertEquals(
                        theirs.path(field).asDouble(),
                        mine.path(field).asDouble(),
                        1e-12,
                        route.getKey() + " " + field);
            }
            assertEquals(theirs.path("escalation_causes"), mine.path("escalation_causes"), route.getKey());
            escalated += theirs.path("escalated").asLong();
        }
        assertTrue(escalated > 0, "the traffic escalated some requests");
        assertEquals(served.path("models"), fromLog.path("models"), "gate verdicts and accept rates by model");
        assertEquals(served.path("providers"), fromLog.path("providers"), "provider share");

        Run text = run(args.subList(2, args.size()).stream()
                .collect(() -> new ArrayList<>(List.of("stats", "--by", "intent")), List::add, List::addAll)
                .toArray(String[]::new));
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("by intent"), text.out());
        assertTrue(text.out().contains("escalation causes: "), text.out());
    }

    @Test
    void aLogAcrossAMinuteBoundaryIsCountedWhole(@TempDir Path dir) throws Exception {
        JsonNode golden =
                Json.MAPPER.readTree(REPO.resolve("router/src/test/resources/golden/fallback_then_escalation.json")
                        .toFile());
        StringBuilder log = new StringBuilder();
        for (String at : new String[] {"2026-12-04T10:09:59.900Z", "2026-12-04T10:10:00.100Z"}) {
            com.fasterxml.jackson.databind.node.ObjectNode trace = golden.deepCopy();
            trace.put("timestamp", at);
            trace.put("trace_id", "t-" + at);
            log.append("{\"type\":\"trace\",\"trace\":").append(trace).append("}\n");
        }
        Path file = Files.writeString(dir.resolve("traces.jsonl"), log.toString());
        Run run = run("stats", "--json", file.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode stats = Json.MAPPER.readTree(run.out());
        assertEquals(2, stats.path("minutes").asInt(), "two minutes of log");
        assertEquals(2, stats.path("groups").path("default").path("requests").asInt(), run.out());
    }

    @Test
    void badInputIsRefusedSayingWhy(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
        Run none = run("stats", empty.toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("no trace in"), none.err());
        Run by = run("stats", "--by", "colour", empty.toString());
        assertTrue(by.code() != 0 && by.err().contains("say one of route, intent, model, day"), by.err());
    }
}
