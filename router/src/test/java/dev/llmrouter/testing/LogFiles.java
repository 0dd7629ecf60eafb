package dev.llmrouter.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reading a log another thread is appending to. */
public final class LogFiles {
    private LogFiles() {}

    /** The file's whole lines: a last one still being written (no newline yet) is left for the next look. */
    public static List<String> wholeLines(Path file) {
        try {
            String text = Files.readString(file);
            return text.substring(0, text.lastIndexOf('\n') + 1).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
