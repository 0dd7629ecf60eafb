package dev.llmrouter.cli;

import dev.llmrouter.provider.SimulatedProvider;
import dev.llmrouter.server.SimulatedUpstream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "simulate-upstream",
        mixinStandardHelpOptions = true,
        description = {
            "Runs an OpenAI-compatible upstream answered by the simulated provider (POST /v1/chat/completions):",
            "what a load test calls directly to measure the router's overhead (bench/wrk.sh)."
        })
final class SimulateUpstreamCommand implements Callable<Integer> {
    @Option(
            names = "--port",
            defaultValue = "9090",
            paramLabel = "N",
            description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--latency-ms",
            defaultValue = "0",
            paramLabel = "MS",
            description = "How long each answer takes (default: ${DEFAULT-VALUE}).")
    long latencyMs;

    @Option(
            names = "--error-rate",
            defaultValue = "0",
            paramLabel = "SHARE",
            description = "Share of (model, prompt) pairs answered with 503 (default: ${DEFAULT-VALUE}).")
    double errorRate;

    @Option(
            names = "--quality",
            defaultValue = "1",
            paramLabel = "SHARE",
            description = "Share of (model, prompt) pairs answered in full, the rest cut off; 1 gives a load test"
                    + " one call a request (default: ${DEFAULT-VALUE}).")
    double quality;

    @Override
    public Integer call() throws InterruptedException {
        SimulatedProvider.Settings settings =
                new SimulatedProvider.Settings(Duration.ofMillis(latencyMs), errorRate, Map.of(1, quality));
        SimulatedUpstream upstream = SimulatedUpstream.start("127.0.0.1", port, settings);
        System.err.println("simulated upstream on http://127.0.0.1:" + upstream.port() + "/v1");
        return ServeCommand.runUntilStopped(upstream);
    }
}
