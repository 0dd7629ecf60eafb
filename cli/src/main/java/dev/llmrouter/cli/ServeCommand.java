package dev.llmrouter.cli;

import dev.llmrouter.server.RouterServer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the router as an OpenAI-compatible HTTP server (POST /v1/chat/completions and friends).",
            "The shipped config/server.yaml answers every model with the simulated provider: no keys needed."
        })
final class ServeCommand implements Callable<Integer> {
    @Option(
            names = "--port",
            paramLabel = "N",
            description = "Port to listen on (default: the config's server.port, 8080; 0 picks a free one).")
    Optional<Integer> port = Optional.empty();

    @Option(
            names = "--management-port",
            paramLabel = "N",
            description = "Port of the management socket: admin, health, metrics (default: the config's"
                    + " server.management.port, 8081; 0 picks a free one).")
    Optional<Integer> managementPort = Optional.empty();

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Server settings, a Helidon YAML config (default: config/server.yaml).")
    Optional<Path> config = Optional.empty();

    /** The launcher's startup-cache recording run: start (loading everything a start loads), then stop. */
    @Option(names = "--exit-when-ready", hidden = true)
    boolean exitWhenReady;

    @Override
    public Integer call() throws InterruptedException {
        String home = System.getProperty("llmrouter.home", "");
        Path base = home.isEmpty() ? Path.of("") : Path.of(home);
        Path file = config.orElseGet(() -> ConfigFiles.defaultFile("server.yaml"));
        RouterServer server = RouterServer.start(file, port, managementPort, System.getenv(), base.toAbsolutePath());
        if (exitWhenReady) {
            server.close();
            return 0;
        }
        return runUntilStopped(server);
    }

    /** Blocks until the process is asked to stop (Ctrl-C, SIGTERM), then closes {@code service}. */
    static int runUntilStopped(AutoCloseable service) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println("error while stopping: " + e.getMessage());
            }
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
