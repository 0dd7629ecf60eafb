package dev.llmrouter.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 client against a scripted server on a raw socket: framing (length, chunked, until close),
 * keep-alive reuse, a pooled connection the server closed, timeouts, header injection and proxies.
 */
class Http1ClientTest {
    /** What the server does with one request on a connection: answer it (and whether to close after). */
    record Script(String response, boolean closeAfter) {}

    private ServerSocket server;
    private final BlockingQueue<Script> scripts = new LinkedBlockingQueue<>();
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Http1Client client = new Http1Client(Duration.ofSeconds(2), null);

    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(socket));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String requestLine = line(in);
                if (requestLine == null) {
                    return;
                }
                requestLines.add(requestLine);
                int length = 0;
                for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                    if (h.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(h.substring(15).strip());
                    }
                }
                bodies.add(new String(in.readNBytes(length), StandardCharsets.UTF_8));
                Script script = scripts.poll(5, TimeUnit.SECONDS);
                if (script == null) {
                    return;
                }
                out.write(script.response().getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (script.closeAfter()) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                return null;
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    private URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/chat/completions?x=1");
    }

    private Http1Client.Request post(String body) {
        return new Http1Client.Request(
                uri(), List.of(Map.entry("Content-Type", "application/json")), body.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(Http1Client.Response response) throws IOException {
        try (InputStream body = response.body()) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String ok(String body) {
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
                + body;
    }

    @Test
    void aKeptAliveConnectionServesTheNextRequest() throws IOException {
        scripts.add(new Script(ok("{\"a\":1}"), false));
        scripts.add(new Script(ok("{\"a\":2}"), false));
        Http1Client.Response first = client.send(post("{\"q\":1}"), Duration.ofSeconds(2));
        assertEquals(200, first.status());
        assertEquals(
                "application/json", first.headers().firstValue("CONTENT-TYPE").orElseThrow());
        assertEquals("{\"a\":1}", read(first));
        assertEquals("{\"a\":2}", read(client.send(post("{\"q\":2}"), Duration.ofSeconds(2))));
        assertEquals(1, connections.get());
        assertEquals(
                List.of("POST /v1/chat/completions?x=1 HTTP/1.1", "POST /v1/chat/completions?x=1 HTTP/1.1"),
                requestLines);
        assertEquals(List.of("{\"q\":1}", "{\"q\":2}"), bodies);
    }

    @Test
    void chunkedBodiesWithExtensionsAndTrailersAreJoined() throws IOException {
        scripts.add(new Script(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5;name=x\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n",
                false));
        scripts.add(new Script(ok("again"), false));
        assertEquals("hello, world", read(client.send(post("{}"), Duration.ofSeconds(2))));
        assertEquals("again", read(client.send(post("{}"), Duration.ofSeconds(2))));
        assertEquals(1, connections.get(), "the connection is reused after a chunked body read to its end");
    }

    @Test
    void aBodyUntilCloseAndConnectionCloseAreNotReused() throws IOException {
        scripts.add(new Script("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it", true));
        scripts.add(new Script(ok("next"), false));
        assertEquals("all of it", read(client.send(post("{}"), Duration.ofSeconds(2))));
        assertEquals("next", read(client.send(post("{}"), Duration.ofSeconds(2))));
        assertEquals(2, connections.get());
    }

    @Test
    void aPooledConnectionTheServerClosedIsReplacedWithoutFailingTheRequest() throws IOException {
        // the server answers and then closes without saying so: the pooled connection is dead
        scripts.add(new Script(ok("first"), true));
        scripts.add(new Script(ok("second"), false));
        assertEquals("first", read(client.send(post("{}"), Duration.ofSeconds(2))));
        assertEquals("second", read(client.send(post("{}"), Duration.ofSeconds(2))));
        assertEquals(2, connections.get());
        assertEquals(2, requestLines.size(), "the request went out once on the new connection");
    }

    @Test
    void aBodyCutShortIsAnErrorNotATruncatedAnswer() throws IOException {
        scripts.add(new Script("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", true));
        Http1Client.Response response = client.send(post("{}"), Duration.ofSeconds(2));
        assertThrows(EOFException.class, () -> read(response));
        scripts.add(new Script("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort", true));
        Http1Client.Response chunked = client.send(post("{}"), Duration.ofSeconds(2));
        assertThrows(EOFException.class, () -> read(chunked));
    }

    @Test
    void noHeadersWithinTheFirstByteTimeoutIsATimeout() {
        // no script: the server reads the request and never answers
        long start = System.nanoTime();
        assertThrows(
                Http1Client.FirstByteTimeoutException.class, () -> client.send(post("{}"), Duration.ofMillis(200)));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos());
    }

    @Test
    void aTimeoutOnAReusedConnectionIsNotSentAgain() throws IOException {
        scripts.add(new Script(ok("first"), false));
        assertEquals("first", read(client.send(post("{}"), Duration.ofSeconds(2))));
        // the second request reuses the connection, and the server never answers it
        assertThrows(
                Http1Client.FirstByteTimeoutException.class, () -> client.send(post("{}"), Duration.ofMillis(200)));
        assertEquals(2, requestLines.size(), "sent once");
        assertEquals(1, connections.get());
    }

    @Test
    void informationalAnswersAreSkippedAndBadStatusLinesRefused() throws IOException {
        scripts.add(new Script("HTTP/1.1 100 Continue\r\n\r\n" + ok("after"), false));
        assertEquals("after", read(client.send(post("{}"), Duration.ofSeconds(2))));
        scripts.add(new Script("SSH-2.0-OpenSSH\r\n\r\n", true));
        IOException e = assertThrows(IOException.class, () -> client.send(post("{}"), Duration.ofSeconds(2)));
        assertTrue(e.getMessage().contains("not an HTTP/1.1 status line"), e.getMessage());
    }

    @Test
    void aHeaderValueWithALineBreakIsRefusedWithoutEchoingIt() {
        Http1Client.Request request = new Http1Client.Request(
                uri(), List.of(Map.entry("Authorization", "Bearer sk-secret\r\nX-Evil: 1")), new byte[0]);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> client.send(request, Duration.ofSeconds(2)));
        assertFalse(e.getMessage().contains("sk-secret"), e.getMessage());
        assertTrue(requestLines.isEmpty());
    }

    @Test
    void aRefusedConnectionIsAConnectException() throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        Http1Client.Request request =
                new Http1Client.Request(URI.create("http://127.0.0.1:" + port + "/x"), List.of(), new byte[0]);
        assertInstanceOf(
                java.net.ConnectException.class,
                assertThrows(IOException.class, () -> client.send(request, Duration.ofSeconds(2))));
    }

    @Test
    void plainHttpThroughAProxyNamesTheWholeUriAndHttpsAsksForATunnel() throws IOException {
        ProxySelector viaServer = new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                return List.of(new Proxy(
                        Proxy.Type.HTTP,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort())));
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
        };
        Http1Client proxied = new Http1Client(Duration.ofSeconds(2), viaServer);
        scripts.add(new Script(ok("proxied"), false));
        Http1Client.Request plain = new Http1Client.Request(
                URI.create("http://api.example.test/v1/chat/completions"), List.of(), new byte[0]);
        assertEquals("proxied", read(proxied.send(plain, Duration.ofSeconds(2))));
        assertEquals("POST http://api.example.test/v1/chat/completions HTTP/1.1", requestLines.getLast());

        scripts.add(new Script("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n", true));
        Http1Client.Request tls = new Http1Client.Request(
                URI.create("https://api.example.test/v1/chat/completions"), List.of(), new byte[0]);
        IOException e = assertThrows(IOException.class, () -> proxied.send(tls, Duration.ofSeconds(2)));
        assertTrue(
                e.getMessage().contains("the proxy refused the tunnel to api.example.test:443: HTTP/1.1 407"),
                e.getMessage());
        assertEquals("CONNECT api.example.test:443 HTTP/1.1", requestLines.getLast());
    }

    @Test
    void concurrentCallsEachGetTheirOwnAnswer() throws Exception {
        int calls = 40;
        for (int i = 0; i < calls; i++) {
            scripts.add(new Script(ok("same"), false));
        }
        List<Thread> threads = new ArrayList<>();
        List<String> answers = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int k = 0; k < calls / 8; k++) {
                    try {
                        answers.add(read(client.send(post("{}"), Duration.ofSeconds(2))));
                    } catch (IOException e) {
                        answers.add("failed: " + e);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(java.util.Collections.nCopies(calls, "same"), answers);
        assertTrue(connections.get() <= 8, "at most one connection a concurrent caller: " + connections.get());
    }
}
