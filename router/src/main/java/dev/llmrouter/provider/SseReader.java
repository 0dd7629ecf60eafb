package dev.llmrouter.provider;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads a {@code text/event-stream} body into events, as the server-sent events specification describes:
 * {@code event:} and {@code data:} fields, multi-line data joined with newlines, comments skipped, an event
 * dispatched at the blank line that ends it. A final line cut off without its line end is dropped, so a
 * connection cut mid-line never yields half a JSON object.
 */
final class SseReader {
    /** The longest line accepted; a longer one means the upstream is not speaking SSE. */
    static final int MAX_LINE_BYTES = 8 * 1024 * 1024;

    private SseReader() {}

    /** One dispatched event; {@code name} is {@code message} when the server gave none. */
    record Event(String name, String data) {}

    /** Receives events in order; returns false to stop reading. */
    @FunctionalInterface
    interface Handler {
        boolean onEvent(Event event) throws ProviderFailure;
    }

    /**
     * Reads events until the handler returns false (then returns true) or the stream ends (then returns false,
     * after dispatching an event that lacked only its closing blank line).
     */
    static boolean read(InputStream in, Handler handler) throws IOException, ProviderFailure {
        InputStream buffered = new BufferedInputStream(in, 8192);
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        String name = "";
        StringBuilder data = new StringBuilder();
        boolean hasData = false;
        while (true) {
            Optional<String> next = readLine(buffered, line);
            if (next.isEmpty()) {
                return hasData && !handler.onEvent(new Event(name.isEmpty() ? "message" : name, data.toString()));
            }
            String text = next.get();
            if (text.isEmpty()) {
                if (hasData && !handler.onEvent(new Event(name.isEmpty() ? "message" : name, data.toString()))) {
                    return true;
                }
                name = "";
                data.setLength(0);
                hasData = false;
                continue;
            }
            if (text.startsWith(":")) {
                continue;
            }
            int colon = text.indexOf(':');
            String field = colon < 0 ? text : text.substring(0, colon);
            String value = colon < 0 ? "" : text.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (field.equals("event")) {
                name = value;
            } else if (field.equals("data")) {
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
            }
        }
    }

    /** The next whole line without its terminator (LF or CRLF), or empty at the end of the stream. */
    private static Optional<String> readLine(InputStream in, ByteArrayOutputStream line) throws IOException {
        line.reset();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return Optional.of(new String(bytes, 0, length, StandardCharsets.UTF_8));
            }
            if (line.size() >= MAX_LINE_BYTES) {
                throw new IOException("an event-stream line is longer than " + MAX_LINE_BYTES + " bytes");
            }
            line.write(b);
        }
        return Optional.empty();
    }
}
