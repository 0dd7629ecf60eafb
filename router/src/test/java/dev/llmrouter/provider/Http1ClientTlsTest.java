package dev.llmrouter.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS: a server is believed only when its certificate is trusted and names the host called. Certificates
 * are made for the test with the JDK's keytool.
 */
class Http1ClientTlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    Path dir;

    private KeyStore keyStore(String name, String san) throws Exception {
        Path file = dir.resolve(name + ".p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        name,
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=" + name,
                        "-ext",
                        "SAN=" + san,
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        file.toString(),
                        "-storepass",
                        new String(PASSWORD))
                .redirectErrorStream(true)
                .start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keytool.waitFor(), output);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            store.load(in, PASSWORD);
        }
        return store;
    }

    private static SSLContext serving(KeyStore store) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static SSLContext trusting(KeyStore store) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** A TLS server on loopback answering one request with "secure" and closing; returns its port. */
    private static int serve(SSLContext context) throws IOException {
        SSLServerSocket server = (SSLServerSocket)
                context.getServerSocketFactory().createServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try (server;
                    SSLSocket socket = (SSLSocket) server.accept()) {
                InputStream in = socket.getInputStream();
                // read up to the blank line that ends the headers (the request has no body)
                int tail = 0;
                while (tail != 0x0d0a0d0a) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    tail = tail << 8 | b;
                }
                OutputStream out = socket.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecure"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // the client refused the handshake: that is what some tests want
            }
        });
        return server.getLocalPort();
    }

    private static Http1Client.Request get(int port) {
        return new Http1Client.Request(URI.create("https://127.0.0.1:" + port + "/v1/x"), List.of(), null);
    }

    @Test
    void aTrustedCertificateNamingTheHostIsAccepted() throws Exception {
        KeyStore local = keyStore("local", "ip:127.0.0.1,dns:localhost");
        int port = serve(serving(local));
        Http1Client client = new Http1Client(Duration.ofSeconds(5), null, trusting(local));
        Http1Client.Response response = client.send(get(port), Duration.ofSeconds(5));
        assertEquals(200, response.status());
        try (InputStream body = response.body()) {
            assertEquals("secure", new String(body.readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aCertificateNoTrustedAuthoritySignedIsRefused() throws Exception {
        int port = serve(serving(keyStore("local", "ip:127.0.0.1,dns:localhost")));
        Http1Client client = new Http1Client(Duration.ofSeconds(5), null);
        assertThrows(SSLHandshakeException.class, () -> client.send(get(port), Duration.ofSeconds(5)));
    }

    @Test
    void aTrustedCertificateForAnotherHostIsRefused() throws Exception {
        KeyStore other = keyStore("other", "dns:other.example");
        int port = serve(serving(other));
        Http1Client client = new Http1Client(Duration.ofSeconds(5), null, trusting(other));
        SSLHandshakeException e =
                assertThrows(SSLHandshakeException.class, () -> client.send(get(port), Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
    }
}
