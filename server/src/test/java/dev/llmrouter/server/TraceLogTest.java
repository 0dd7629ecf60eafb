package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Json;
import dev.llmrouter.request.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trace log keeps whole lines through crashes, full disks and other writers, and stays within its limits. */
class TraceLogTest {
    static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    @TempDir
    Path dir;

    TraceLog log(long maxFile, long maxTotal, Duration maxAge, Optional<String> salt, String prompts) {
        return new TraceLog(
                new TraceLog.Settings(dir, prompts, salt, maxFile, maxTotal, maxAge), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    TraceLog log() {
        return log(1 << 20, Long.MAX_VALUE, Duration.ofDays(30), Optional.empty(), "hash");
    }

    Path today() {
        return dir.resolve("traces-" + LocalDate.ofInstant(NOW, ZoneOffset.UTC) + "-0.jsonl");
    }

    static List<JsonNode> parsed(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        String text = Files.readString(file);
        assertTrue(text.isEmpty() || text.endsWith("\n"), "ends with a whole line");
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                out.add(Json.MAPPER.readTree(line));
            }
        }
        return out;
    }

    @Test
    void aLineCutByACrashIsTakenBackBeforeTheNextOne() throws Exception {
        Files.writeString(today(), "{\"type\":\"feedback\",\"trace_id\":\"a\"}\n{\"type\":\"feedb");
        try (TraceLog log = log()) {
            log.feedback("b", 1, Optional.empty());
        }
        List<JsonNode> lines = parsed(today());
        assertEquals(
                List.of("a", "b"),
                lines.stream().map(l -> l.path("trace_id").asText()).toList());
    }

    @Test
    void aFullDiskLosesTheLineButNeverFailsTheCallerAndLeavesNoPartOfIt() throws Exception {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.exists(full), "needs Linux's /dev/full, which fails every write with 'no space left'");
        Files.createSymbolicLink(today(), full);
        try (TraceLog log = log()) {
            log.feedback("lost", 1, Optional.empty()); // must not throw
            log.feedback("lost too", 1, Optional.empty());
            assertEquals(2, log.failures());
            // space returns
            Files.delete(today());
            Files.writeString(today(), "{\"type\":\"feedback\",\"trace_id\":\"before\"}\n{\"cut");
            log.feedback("after", 1, Optional.empty());
            assertEquals(2, log.failures());
        }
        assertEquals(
                List.of("before", "after"),
                parsed(today()).stream().map(l -> l.path("trace_id").asText()).toList());
    }

    @Test
    void aServerWhoseLogCannotBeWrittenStillAnswersAndCountsIt() throws Exception {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.exists(full), "needs Linux's /dev/full, which fails every write with 'no space left'");
        Path logs = Files.createDirectories(dir.resolve("traces"));
        Files.createSymbolicLink(logs.resolve("traces-" + LocalDate.now(ZoneOffset.UTC) + "-0.jsonl"), full);
        Path config = Files.writeString(dir.resolve("server.yaml"), """
                server: {port: 0, management: {port: 0}}
                router:
                  catalog: %1$s/config/catalog.yaml
                  policy: %1$s/config/policy.yaml
                  classifier: heuristic
                  trace: {dir: traces}
                  simulated: {latency_ms: 0, error_rate: 0}
                """.formatted(
                        Path.of("..").toAbsolutePath().normalize()));
        try (RouterServer server =
                RouterServer.start(config, Optional.empty(), Optional.empty(), java.util.Map.of(), dir)) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Exchange ex = RawHttp.send(
                        server.port(),
                        RawHttp.post(
                                "/v1/chat/completions",
                                "{\"model\":\"router\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"),
                        Duration.ofMillis(500));
                assertEquals(200, ex.status(), ex.text());
                assertFalse(ex.text().contains(dir.toString()), "no path reaches a caller");
            }
            String metrics = RawHttp.send(
                            server.managementPort(),
                            "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                            Duration.ofSeconds(2))
                    .body();
            assertTrue(metrics.contains("llm_router_trace_log_failures_total 3.0"), metrics);
        }
    }

    @Test
    void twoProcessesSharingTheDirectoryLoseAndCorruptNothing() throws Exception {
        int each = 1500;
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Process> writers = new ArrayList<>();
        for (String tag : List.of("p1", "p2")) {
            writers.add(new ProcessBuilder(
                            java,
                            "-cp",
                            System.getProperty("java.class.path"),
                            TraceLogWriter.class.getName(),
                            dir.toString(),
                            tag,
                            Integer.toString(each),
                            Integer.toString(256 * 1024))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start());
        }
        for (Process p : writers) {
            assertEquals(0, p.waitFor(), "a writer failed");
        }
        Set<String> ids = new HashSet<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.sorted().toList();
        }
        assertTrue(files.size() > 2, "the files rotated while both wrote: " + files);
        for (Path f : files) {
            for (JsonNode line : parsed(f)) {
                assertTrue(ids.add(line.path("trace_id").asText()), "each line once");
                assertTrue(line.path("comment")
                        .asText()
                        .startsWith(line.path("trace_id").asText() + " "));
            }
            assertTrue(Files.size(f) <= 256 * 1024, f + " over its limit");
        }
        assertEquals(2 * each, ids.size());
    }

    @Test
    void retentionDeletesTheOldestFilesPastTheSizeAndAgeLimits() throws Exception {
        List<Path> old = new ArrayList<>();
        for (int day = 1; day <= 5; day++) {
            Path f = dir.resolve("traces-2026-11-0" + day + "-0.jsonl");
            Files.writeString(f, ("{\"type\":\"feedback\"}\n").repeat(500)); // about 10 KB
            Files.setLastModifiedTime(f, FileTime.from(NOW.minus(Duration.ofDays(33 - day))));
            old.add(f);
        }
        Path stranger = Files.writeString(dir.resolve("notes.txt"), "not a trace file");
        try (TraceLog log = log(1 << 20, 25_000, Duration.ofDays(30), Optional.empty(), "hash")) {
            log.feedback("new", 1, Optional.empty());
            // the 1st and 2nd of November are over 30 days old; then size: 3 files of 10 KB are over 25 KB
            assertEquals(3, log.deletedFiles());
            assertTrue(log.bytes() <= 25_000, "total " + log.bytes());
        }
        assertFalse(Files.exists(old.get(0)));
        assertFalse(Files.exists(old.get(1)));
        assertFalse(Files.exists(old.get(2)));
        assertTrue(Files.exists(old.get(3)) && Files.exists(old.get(4)) && Files.exists(today()));
        assertTrue(Files.exists(stranger), "only trace files are touched");
    }

    /** A router over the shipped catalog and policy with the heuristic classifier and the simulated provider. */
    static dev.llmrouter.engine.Router router() {
        dev.llmrouter.catalog.Catalog catalog =
                dev.llmrouter.catalog.CatalogLoader.load(Path.of("../config/catalog.yaml"));
        dev.llmrouter.engine.Router.Builder builder = dev.llmrouter.engine.Router.builder()
                .catalog(catalog)
                .policy(dev.llmrouter.policy.PolicyLoader.load(
                        Path.of("../config/policy.yaml"),
                        catalog,
                        new dev.llmrouter.classify.HeuristicClassifier().intents()));
        catalog.providers()
                .keySet()
                .forEach(name -> builder.provider(
                        name,
                        new dev.llmrouter.provider.SimulatedProvider(
                                dev.llmrouter.provider.SimulatedProvider.Settings.DEFAULT, java.util.Map.of())));
        return builder.build();
    }

    @Test
    void aSaltedPromptHashCannotBeCheckedWithoutTheSalt() throws Exception {
        String prompt = "What is my bank PIN?";
        dev.llmrouter.trace.DecisionTrace trace = router().explain(dev.llmrouter.request.ChatRequest.ofPrompt(prompt));
        try (TraceLog log = log(1 << 20, Long.MAX_VALUE, Duration.ofDays(30), Optional.of("pepper"), "hash")) {
            log.trace(trace, prompt, List.of("my earlier turn"));
        }
        JsonNode line = parsed(today()).getFirst();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("pepper".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal(prompt.getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, line.path("prompt_hmac_sha256").asText());
        assertFalse(line.has("prompt_sha256"));
        assertFalse(line.toString().contains("PIN"));
        assertFalse(line.has("turns") || line.toString().contains("my earlier turn"), "no earlier turn unless full");
    }

    @Test
    void fullKeepsTheEarlierTurnsAndTheLogGivesTheConversationBack() throws Exception {
        ChatRequest request = new ChatRequest(
                List.of(
                        Message.of("user", "Write a function that sorts a list."),
                        Message.of("assistant", "def sort(xs): return sorted(xs)"),
                        Message.of("user", "Now in \"Rust\",\nplease.")),
                OptionalInt.of(64),
                false,
                Map.of(),
                Map.of("team", "search"),
                "");
        dev.llmrouter.trace.DecisionTrace trace = router().explain(request);
        dev.llmrouter.trace.DecisionTrace single = router().explain(ChatRequest.ofPrompt("Hello"));
        try (TraceLog log = log(1 << 20, Long.MAX_VALUE, Duration.ofDays(30), Optional.empty(), "full")) {
            log.trace(trace, request.lastUserText(), request.earlierUserTurns());
            log.trace(single, "Hello", List.of());
        }
        List<JsonNode> lines = parsed(today());
        assertEquals("Now in \"Rust\",\nplease.", lines.get(0).path("prompt").asText());
        assertEquals(
                "[\"Write a function that sorts a list.\"]",
                lines.get(0).path("turns").toString());
        assertFalse(lines.get(1).has("turns"), "one user turn: no turns");
        List<dev.llmrouter.evalsets.TraceLogRecords.Logged> logged =
                dev.llmrouter.evalsets.OffPolicy.withPrompts(List.of(today()));
        ChatRequest again = logged.get(0).request().orElseThrow();
        assertEquals(request.earlierUserTurns(), again.earlierUserTurns());
        assertEquals(request.lastUserText(), again.lastUserText());
        assertEquals(OptionalInt.of(64), again.maxTokens());
        assertEquals(Map.of("team", "search"), again.metadata());
        assertEquals(List.of(), logged.get(1).request().orElseThrow().earlierUserTurns());
    }
}
