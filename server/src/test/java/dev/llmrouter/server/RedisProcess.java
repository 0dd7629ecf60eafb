package dev.llmrouter.server;

import dev.llmrouter.testing.ExternalTool;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's redis-server on a free loopback port with deploy/redis.conf's persistence (append-only file, fsync
 * every second), stopped and started again on that port.
 */
final class RedisProcess implements AutoCloseable {
    private final Path binary;
    private final Path dir;
    final int port;
    private Process process;

    private RedisProcess(Path binary, Path dir, int port) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
    }

    static RedisProcess start(Path dir) throws Exception {
        Path binary = ExternalTool.require("redis-server", "apt-get install redis-server");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RedisProcess redis = new RedisProcess(binary, dir, port);
        redis.startAgain();
        return redis;
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    void startAgain() throws Exception {
        process = new ProcessBuilder(
                        binary.toString(),
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "yes",
                        "--appendfsync",
                        "everysec",
                        "--dir",
                        dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis-" + port + ".log").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!answers()) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new IllegalStateException("redis-server did not start on port " + port + " (see " + dir + ")");
            }
            Thread.sleep(20);
        }
    }

    /** Stops it (SIGTERM: Redis writes its append-only file out and exits); clients see the connection drop. */
    void stop() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private boolean answers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] reply = new byte[7];
            return s.getInputStream().read(reply) > 0
                    && new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
