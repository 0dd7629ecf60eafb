package dev.llmrouter.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An upstream on loopback that answers each request with the exact bytes queued for it, then closes the
 * connection: status line, headers and body as a broken or hostile provider might send them.
 */
final class RawUpstream implements AutoCloseable {
    private final ServerSocket server;
    private final LinkedBlockingQueue<byte[]> answers = new LinkedBlockingQueue<>();
    private final Thread acceptor;

    RawUpstream() {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = Thread.ofVirtual().start(this::serve);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    void answerNext(byte[] raw) {
        answers.add(raw);
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                readRequest(socket.getInputStream());
                byte[] answer = answers.poll(2, TimeUnit.SECONDS);
                if (answer != null) {
                    socket.getOutputStream().write(answer);
                    socket.getOutputStream().flush();
                }
            } catch (IOException | InterruptedException e) {
                // a closed server, or a client that went away: on to the next
            }
        }
    }

    /** Reads the request's head and its Content-Length body, so the answer never races the request. */
    private static void readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        String text = head.toString(StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
        int at = text.indexOf("content-length:");
        if (at >= 0) {
            int end = text.indexOf("\r\n", at);
            long length = Long.parseLong(text.substring(at + 15, end).strip());
            in.readNBytes((int) length);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing: nothing left to do
        }
        acceptor.interrupt();
    }
}
