package dev.llmrouter.server;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * One router replica as a process of its own (what {@code llm-router serve} runs): the tests start two beside
 * Redis and haproxy. Prints {@code ready} once it serves; stops when its standard input closes.
 */
public final class ReplicaMain {
    private ReplicaMain() {}

    public static void main(String[] args) throws Exception {
        Path config = Path.of(args[0]);
        try (RouterServer server =
                RouterServer.start(config, Optional.empty(), Optional.empty(), Map.of(), config.getParent())) {
            System.out.println("ready " + server.port() + " " + server.managementPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // the test holds the pipe open while the replica should run
            }
        }
    }
}
