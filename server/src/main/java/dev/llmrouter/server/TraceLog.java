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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Decision traces and feedback as JSON Lines, one file a day ({@code traces-YYYY-MM-DD-N.jsonl}), a new
 * {@code N} when a file reaches its size limit. Each line is written with one {@code write} of its bytes and
 * its newline; a file whose last line was cut by a crash is truncated back to its last complete line when
 * it is opened again, so every file holds whole lines only. The prompt is kept as the settings say: in full,
 * as its sha256, or not at all. Thread-safe.
 *
 * <p>Lines: {@code {"type":"trace","trace":{...},"prompt":"..."}} (or {@code "prompt_sha256"}), and
 * {@code {"type":"feedback","trace_id":"...","score":0.8,"at":"..."}}.
 */
final class TraceLog implements AutoCloseable {
    private final Path dir;
    private final String prompts;
    private final long maxFileBytes;
    private final Clock clock;
    private FileChannel channel;
    private LocalDate day;
    private int index;

    TraceLog(Path dir, String prompts, long maxFileBytes, Clock clock) {
        this.dir = dir;
        this.prompts = prompts;
        this.maxFileBytes = maxFileBytes;
        this.clock = clock;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the trace directory " + dir, e);
        }
    }

    /** Appends one routed request's trace, with the prompt as the settings keep it. */
    void trace(DecisionTrace trace, String prompt) {
        // written as text around the trace's own JSON: no second tree of it is built
        StringBuilder line = new StringBuilder(4096).append("{\"type\":\"trace\",\"trace\":");
        line.append(TraceJson.toJson(trace));
        switch (prompts) {
            case "full" -> line.append(",\"prompt\":").append(quoted(prompt));
            case "hash" ->
                line.append(",\"prompt_sha256\":\"").append(Sha256.hex(prompt)).append('"');
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

    private static String quoted(String text) {
        try {
            return Json.MAPPER.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void append(String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            FileChannel out = channelFor(bytes.length);
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trace log in " + dir, e);
        }
    }

    private FileChannel channelFor(int bytes) throws IOException {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (channel == null || !today.equals(day)) {
            day = today;
            index = 0;
            open(today);
        }
        while (channel.size() > 0 && channel.size() + bytes > maxFileBytes) {
            index++;
            open(today);
        }
        return channel;
    }

    private void open(LocalDate today) throws IOException {
        if (channel != null) {
            channel.close();
        }
        Path file = file(today, index);
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        repair(channel);
        channel.position(channel.size());
    }

    Path file(LocalDate date, int n) {
        return dir.resolve("traces-" + date + "-" + n + ".jsonl");
    }

    /** Cuts a last line that has no newline: what a crash in the middle of a write leaves. */
    private static void repair(FileChannel file) throws IOException {
        long size = file.size();
        if (size == 0) {
            return;
        }
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
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
