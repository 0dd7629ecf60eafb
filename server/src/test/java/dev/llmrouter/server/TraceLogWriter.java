package dev.llmrouter.server;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A process that appends feedback lines to a trace log, for the test of several processes sharing one
 * directory: {@code TraceLogWriter DIR TAG COUNT MAX_FILE_BYTES}.
 */
public final class TraceLogWriter {
    private TraceLogWriter() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        String tag = args[1];
        int count = Integer.parseInt(args[2]);
        long maxFile = Long.parseLong(args[3]);
        TraceLog.Settings settings =
                new TraceLog.Settings(dir, "none", Optional.empty(), maxFile, Long.MAX_VALUE, Duration.ofDays(365));
        try (TraceLog log = new TraceLog(settings, Clock.systemUTC())) {
            for (int i = 0; i < count; i++) {
                // lines of varied length, some longer than a pipe buffer, so writes can interleave if unguarded
                String comment = tag + "-" + i + " " + "x".repeat((i * 7919) % 9000);
                log.feedback(tag + "-" + i, 0.5, Optional.of(comment));
            }
            if (log.failures() > 0) {
                System.exit(2);
            }
        }
    }
}
