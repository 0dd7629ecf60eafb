package dev.llmrouter.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.request.Json;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.TraceJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decision traces, feedback and admin audit records as JSON Lines, one file a day
 * ({@code traces-YYYY-MM-DD-N.jsonl}), a new {@code N} when a file reaches its size limit.
 *
 * <p>Safe to share: several processes may write to one directory. Each line is written under an exclusive
 * lock on its file (a JVM-wide monitor per file for the threads of one process, an OS file lock between
 * processes), at the file's end. Before each write, a last line without its newline (a writer that crashed,
 * or a write the disk cut short) is truncated away, and a write that fails is truncated back, so every file
 * holds whole lines only.
 *
 * <p>Never fails its caller: a line that cannot be written is counted ({@link #failures()}) and logged at
 * most once a minute. Retention, checked at most once a minute: past {@code maxTotalBytes} in all, the oldest
 * files are deleted, and so is any file last written more than {@code maxAge} ago (never today's newest file,
 * which a writer may hold open).
 *
 * <p>Lines: {@code {"type":"trace","trace":{...},"prompt":"..."}} (or {@code "prompt_sha256"}, or with a salt
 * {@code "prompt_hmac_sha256"}), {@code {"type":"feedback",...}} and {@code {"type":"audit",...}}.
 */
final class TraceLog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TraceLog.class.getName());
    private static final Pattern NAME = Pattern.compile("traces-(\\d{4}-\\d{2}-\\d{2})-(\\d+)\\.jsonl");
    private static final Duration RETENTION_EVERY = Duration.ofMinutes(1);
    private static final Duration WARN_EVERY = Duration.ofMinutes(1);
    /** One monitor per file for every writer in this JVM: OS file locks are held per process, not per thread. */
    private static final ConcurrentHashMap<Path, Object> FILE_MONITORS = new ConcurrentHashMap<>();

    /**
     * @param prompts what a trace line keeps of the prompt: {@code full}, {@code hash} or {@code none}
     * @param salt when present, the prompt's hash is an HMAC-SHA256 keyed with it, which a guessed prompt
     *     cannot be checked against without the salt
     */
    record Settings(
            Path dir, String prompts, Optional<String> salt, long maxFileBytes, long maxTotalBytes, Duration maxAge) {}

    private final Settings settings;
    private final Clock clock;
    private final Optional<Mac> hmac;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong deletedFiles = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private FileChannel channel;
    private Path file;
    /** The size this writer left the open file at, -1 when unknown. */
    private long knownEnd = -1;

    private LocalDate day;
    private int index = -1;
    private Instant lastRetention = Instant.EPOCH;
    private Instant lastWarning = Instant.EPOCH;

    TraceLog(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.hmac = settings.salt().map(TraceLog::hmac);
        try {
            Files.createDirectories(settings.dir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the trace directory " + settings.dir(), e);
        }
    }

    /**
     * Appends one routed request's trace, with the prompt as the settings keep it, and with {@code full} the
     * conversation's earlier user turns too ({@code "turns"}, oldest first; absent for one turn), which the
     * intent reads with the prompt: {@code replay} and {@code retrain} rebuild the conversation from them.
     */
    void trace(DecisionTrace trace, String prompt, List<String> earlierTurns) {
        // written as text around the trace's own JSON: no second tree of it is built
        StringBuilder line = new StringBuilder(4096).append("{\"type\":\"trace\",\"trace\":");
        line.append(TraceJson.toJson(trace));
        switch (settings.prompts()) {
            case "full" -> {
                line.append(",\"prompt\":").append(quoted(prompt));
                if (!earlierTurns.isEmpty()) {
                    line.append(",\"turns\":[");
                    for (int i = 0; i < earlierTurns.size(); i++) {
                        line.append(i == 0 ? "" : ",").append(quoted(earlierTurns.get(i)));
                    }
                    line.append(']');
                }
            }
            case "hash" -> {
                if (hmac.isPresent()) {
                    line.append(",\"prompt_hmac_sha256\":\"")
                            .append(keyedHash(prompt))
                            .append('"');
                } else {
                    line.append(",\"prompt_sha256\":\"")
                            .append(Sha256.hex(prompt))
                            .append('"');
                }
            }
            default -> {}
        }
        append(line.append('}').toString());
    }

    /** Appends the application's score of a served request. */
    void feedback(String traceId, double score, Optional<String> comment) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("type", "feedback");
        line.put("trace_id", traceId);
        line.put("score", score);
        comment.ifPresent(c -> line.put("comment", c));
        line.put("at", clock.instant().toString());
        append(line.toString());
    }

    /**
     * Appends what a shadow exploration's model did on a routed request: {@code "type": "exploration"}, the
     * trace id, route, model, its propensity, tokens, cost, and the gate's verdict on its answer or its error
     * (never the answer).
     */
    void exploration(dev.llmrouter.engine.ExploredAnswer a) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("type", "exploration");
        line.put("at", clock.instant().toString());
        line.put("trace_id", a.traceId());
        line.put("route", a.route());
        line.put("model", a.model());
        line.put("propensity", a.propensity());
        line.put("latency_ms", a.latencyMs());
        line.put("input_tokens", a.inputTokens());
        line.put("output_tokens", a.outputTokens());
        line.put("cost_usd", a.costUsd());
        a.gate().ifPresent(g -> {
            ObjectNode gate = line.putObject("gate");
            gate.put("score", g.score());
            gate.put("threshold", g.threshold());
            gate.put("verdict", g.verdict().key());
            g.reasons().forEach(gate.putArray("reasons")::add);
        });
        a.error().ifPresent(e -> {
            ObjectNode error = line.putObject("error");
            error.put("kind", e.kind().key());
            error.put("message", e.message());
        });
        append(line.toString());
    }

    /** Appends a candidate's decision beside the live one ({@code "type": "shadow"}; see {@link Shadow}). */
    void shadow(ObjectNode record) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("type", "shadow");
        line.put("at", clock.instant().toString());
        line.setAll(record);
        append(line.toString());
    }

    /** Appends an admin change (its fields beside {@code "type": "audit"} and {@code "at"}). */
    void audit(ObjectNode record) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("type", "audit");
        line.put("at", clock.instant().toString());
        line.setAll(record);
        append(line.toString());
    }

    /** Lines that could not be written since start. */
    long failures() {
        return failures.get();
    }

    /** Files the retention limits deleted since start. */
    long deletedFiles() {
        return deletedFiles.get();
    }

    /** The trace files' total size at the last retention check. */
    long bytes() {
        return bytes.get();
    }

    private static String quoted(String text) {
        try {
            return Json.MAPPER.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String keyedHash(String prompt) {
        Mac mac = hmac.orElseThrow();
        synchronized (mac) {
            return HexFormat.of().formatHex(mac.doFinal(prompt.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static Mac hmac(String salt) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    /** Writes one whole line, or nothing: a failure is counted and logged, never thrown. */
    private synchronized void append(String text) {
        byte[] line = (text + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            while (!writeWhole(channelFor(), line)) {
                index++; // full: on to the next file of the day
                open();
            }
            retain();
        } catch (IOException | RuntimeException e) {
            failed(e);
        }
    }

    /**
     * Under the file's lock: repairs a cut last line, then writes {@code line} at the end, unless that would
     * take the file past its limit (returns false). A write that fails is taken back.
     */
    private boolean writeWhole(FileChannel out, byte[] line) throws IOException {
        synchronized (FILE_MONITORS.computeIfAbsent(file, f -> new Object())) {
            try (FileLock lock = out.lock()) {
                long size = out.size();
                // where this writer left the file: nobody else wrote since, so its last line is whole
                long end = size == knownEnd ? size : repair(out);
                if (end > 0 && end + line.length > settings.maxFileBytes()) {
                    return false;
                }
                ByteBuffer buffer = ByteBuffer.wrap(line);
                try {
                    while (buffer.hasRemaining()) {
                        out.write(buffer, end + buffer.position());
                    }
                } catch (IOException e) {
                    knownEnd = -1;
                    truncateQuietly(out, end); // what part of the line reached the disk is taken back
                    throw e;
                }
                knownEnd = end + line.length;
                return true;
            }
        }
    }

    private void failed(Exception e) {
        failures.incrementAndGet();
        Instant now = clock.instant();
        if (Duration.between(lastWarning, now).compareTo(WARN_EVERY) >= 0) {
            lastWarning = now;
            LOG.log(
                    System.Logger.Level.WARNING,
                    "the trace log in " + settings.dir() + " cannot be written (" + e
                            + "); requests are still answered, and the lines are lost (counted in"
                            + " llm_router_trace_log_failures_total; this warning repeats at most once a minute)");
        }
        closeQuietly(); // a file that failed may be gone or broken: the next line opens it afresh
    }

    private FileChannel channelFor() throws IOException {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (channel == null || !today.equals(day)) {
            day = today;
            index = Math.max(0, newestIndex(today));
            open();
        }
        return channel;
    }

    private void open() throws IOException {
        closeQuietly();
        knownEnd = -1;
        file = settings.dir().resolve("traces-" + day + "-" + index + ".jsonl");
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    }

    /** The highest N of today's files, -1 when there is none. */
    private int newestIndex(LocalDate date) throws IOException {
        int newest = -1;
        for (Path p : traceFiles()) {
            Matcher m = NAME.matcher(p.getFileName().toString());
            if (m.matches() && m.group(1).equals(date.toString())) {
                newest = Math.max(newest, Integer.parseInt(m.group(2)));
            }
        }
        return newest;
    }

    /** Cuts a last line that has no newline; returns the file's end after the cut. Call under the file lock. */
    private static long repair(FileChannel file) throws IOException {
        long size = file.size();
        ByteBuffer one = ByteBuffer.allocate(1);
        long end = size;
        while (end > 0) {
            one.clear();
            file.read(one, end - 1);
            if (one.get(0) == '\n') {
                break;
            }
            end--;
        }
        if (end < size) {
            file.truncate(end);
        }
        return end;
    }

    private static void truncateQuietly(FileChannel out, long size) {
        try {
            out.truncate(size);
        } catch (IOException | RuntimeException e) {
            // the next write repairs the file under its lock
        }
    }

    /** Deletes the oldest files past the size or age limit, at most once a minute. */
    private void retain() throws IOException {
        Instant now = clock.instant();
        if (Duration.between(lastRetention, now).compareTo(RETENTION_EVERY) < 0) {
            return;
        }
        lastRetention = now;
        List<Path> files = traceFiles(); // oldest first
        long total = 0;
        List<Long> sizes = new ArrayList<>();
        for (Path p : files) {
            long size = Files.size(p);
            sizes.add(size);
            total += size;
        }
        for (int i = 0; i < files.size(); i++) {
            Path p = files.get(i);
            if (p.equals(file) || isTodaysNewest(files, i)) {
                continue; // a writer, this one or another process, may hold it open
            }
            boolean tooOld = Files.getLastModifiedTime(p).toInstant().isBefore(now.minus(settings.maxAge()));
            if ((total > settings.maxTotalBytes() || tooOld) && Files.deleteIfExists(p)) {
                total -= sizes.get(i);
                deletedFiles.incrementAndGet();
            }
        }
        bytes.set(total);
    }

    private boolean isTodaysNewest(List<Path> sorted, int i) {
        return dayOf(sorted.get(i)).equals(day.toString())
                && (i == sorted.size() - 1 || !dayOf(sorted.get(i + 1)).equals(day.toString()));
    }

    private static String dayOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? m.group(1) : "";
    }

    /** The trace files in the directory, oldest first (by day, then N). */
    private List<Path> traceFiles() throws IOException {
        try (var list = Files.list(settings.dir())) {
            return list.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(java.util.Comparator.comparing(TraceLog::dayOf).thenComparingInt(p -> {
                        Matcher m = NAME.matcher(p.getFileName().toString());
                        return m.matches() ? Integer.parseInt(m.group(2)) : 0;
                    }))
                    .toList();
        }
    }

    private void closeQuietly() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing a broken file: nothing more to lose
            }
            channel = null;
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }
}
