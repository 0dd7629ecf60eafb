package dev.llmrouter.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP/1.1 over a plain socket, for what a client library would hide: requests written byte by byte as an
 * attacker or a broken client would, and every response the server sends back on the connection, in order,
 * with whether it then closed.
 */
final class RawHttp {
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ");

    /** What came back: the raw text, the status of each response in it, and whether the server closed. */
    record Exchange(String text, List<Integer> statuses, boolean closed) {
        int status() {
            return statuses.isEmpty() ? -1 : statuses.getFirst();
        }

        /** The first response's header, or empty. */
        String header(String name) {
            for (String line : text.split("\r\n")) {
                if (line.isEmpty()) {
                    break;
                }
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return "";
        }

        String body() {
            int start = text.indexOf("\r\n\r\n");
            return start < 0 ? "" : text.substring(start + 4);
        }
    }

    private RawHttp() {}

    /** Sends {@code request} and reads until the server closes or is silent for {@code quiet}. */
    static Exchange send(int port, String request, Duration quiet) {
        return send(port, request.getBytes(StandardCharsets.UTF_8), quiet);
    }

    static Exchange send(int port, byte[] request, Duration quiet) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
            } catch (IOException closed) {
                // the server answered early (a 413 before the body) and closed while we were still writing:
                // as a browser or curl does, read what it said
            }
            return read(socket, quiet);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends {@code head} at once, then {@code drip} one byte every {@code every}, as long as the server keeps
     * the connection open; then reads what it answered.
     */
    static Exchange drip(int port, String head, String drip, Duration every, Duration quiet) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.UTF_8));
            out.flush();
            for (byte b : drip.getBytes(StandardCharsets.UTF_8)) {
                try {
                    Thread.sleep(every.toMillis());
                    out.write(b);
                    out.flush();
                } catch (IOException closed) {
                    break; // the server gave up on us: read what it said
                }
            }
            return read(socket, quiet);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Exchange read(Socket socket, Duration quiet) throws IOException {
        socket.setSoTimeout((int) quiet.toMillis());
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        boolean closed = false;
        byte[] buffer = new byte[8192];
        try {
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    closed = true;
                    break;
                }
                seen.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            // silent for a while, connection still open
        } catch (IOException e) {
            closed = true; // reset
        }
        String text = seen.toString(StandardCharsets.ISO_8859_1);
        List<Integer> statuses = new ArrayList<>();
        Matcher m = STATUS.matcher(text);
        while (m.find()) {
            statuses.add(Integer.parseInt(m.group(1)));
        }
        return new Exchange(text, statuses, closed);
    }

    /**
     * Sends {@code request} (a streaming request) {@code times} times on one kept-alive connection, and returns
     * for each the nanoseconds from sending it to reading {@code firstToken}; each answer is read to its end
     * (the chunked body's last chunk) before the next request.
     */
    static List<Long> firstTokenNanos(int port, String request, String firstToken, int times) {
        List<Long> out = new ArrayList<>();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            for (int i = 0; i < times; i++) {
                long started = System.nanoTime();
                socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
                StringBuilder seen = new StringBuilder();
                long first = -1;
                while (!seen.toString().endsWith("\r\n0\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        throw new IOException("the connection closed mid-answer: " + seen);
                    }
                    seen.append((char) b);
                    if (first < 0 && seen.indexOf(firstToken) >= 0) {
                        first = System.nanoTime() - started;
                    }
                }
                out.add(first);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** A POST with a JSON body and a correct Content-Length. */
    static String post(String path, String json, String... headers) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + String.join(
                        "",
                        java.util.Arrays.stream(headers).map(h -> h + "\r\n").toList())
                + "Content-Length: " + body.length + "\r\n\r\n" + json;
    }
}
