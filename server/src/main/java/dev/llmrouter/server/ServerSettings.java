package dev.llmrouter.server;

import dev.llmrouter.provider.SimulatedProvider;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The server's settings, read from a Helidon config file ({@code config/server.yaml} by default) and then
 * overridden by environment variables: {@code LLM_ROUTER_PORT}, {@code LLM_ROUTER_HOST},
 * {@code LLM_ROUTER_API_KEYS} (comma-separated), {@code LLM_ROUTER_PROVIDERS} ({@code simulated|real}),
 * {@code LLM_ROUTER_TRACE_DIR}, {@code LLM_ROUTER_TRACE_PROMPTS}. Relative paths resolve against
 * {@code home} (the installation). An unknown or wrong setting is refused with its key.
 *
 * @param providers {@code simulated}: every catalog provider is answered by {@link SimulatedProvider}, no
 *     key needed; {@code real}: the catalog's HTTP providers, keys from their environment variables
 * @param apiKeys bearer tokens that may call the API; empty means the API is open (a warning is logged)
 * @param traceDir where decision traces are written as JSONL; empty for none
 * @param tracePrompts what of the prompt a trace line keeps: {@code full}, {@code hash} or {@code none}
 */
record ServerSettings(
        String host,
        int port,
        Path catalog,
        Path policy,
        String classifier,
        String device,
        String providers,
        List<String> apiKeys,
        long maxBodyBytes,
        Optional<Path> traceDir,
        String tracePrompts,
        long traceMaxFileBytes,
        SimulatedProvider.Settings simulated) {

    static final Set<String> SERVER_KEYS = Set.of("host", "port");
    static final Set<String> ROUTER_KEYS = Set.of(
            "catalog",
            "policy",
            "classifier",
            "device",
            "providers",
            "api_keys",
            "max_body_bytes",
            "trace",
            "simulated");
    static final Set<String> TRACE_KEYS = Set.of("dir", "prompts", "max_file_bytes");
    static final Set<String> SIMULATED_KEYS = Set.of("latency_ms", "error_rate", "quality");

    ServerSettings {
        apiKeys = List.copyOf(apiKeys);
    }

    /** Reads {@code file}, applies {@code env}, and checks every value; the errors name their keys. */
    static ServerSettings load(Path file, Map<String, String> env, Path home) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no server config at " + file.toAbsolutePath()
                    + ": pass one with --config FILE (config/server.yaml is the shipped default)");
        }
        Config root = Config.builder()
                .addSource(ConfigSources.file(file))
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .build();
        List<String> errors = new ArrayList<>();
        unknown(root, "", Set.of("server", "router"), errors);
        unknown(root.get("server"), "server.", SERVER_KEYS, errors);
        Config router = root.get("router");
        unknown(router, "router.", ROUTER_KEYS, errors);
        unknown(router.get("trace"), "router.trace.", TRACE_KEYS, errors);
        unknown(router.get("simulated"), "router.simulated.", SIMULATED_KEYS, errors);
        String host = env.getOrDefault(
                "LLM_ROUTER_HOST", root.get("server.host").asString().orElse("127.0.0.1"));
        int port = integer(env.get("LLM_ROUTER_PORT"), root.get("server.port"), 8080, "server.port", errors);
        if (port < 0 || port > 65535) {
            errors.add("server.port: must be 0 to 65535, got " + port);
        }
        String providers = env.getOrDefault(
                "LLM_ROUTER_PROVIDERS", router.get("providers").asString().orElse("simulated"));
        if (!Set.of("simulated", "real").contains(providers)) {
            errors.add("router.providers: expected simulated or real, got '" + providers + "'");
        }
        List<String> keys = env.containsKey("LLM_ROUTER_API_KEYS")
                ? Arrays.stream(env.get("LLM_ROUTER_API_KEYS").split(","))
                        .map(String::trim)
                        .filter(k -> !k.isEmpty())
                        .toList()
                : router.get("api_keys").asList(String.class).orElse(List.of());
        long maxBody = router.get("max_body_bytes").asLong().orElse(1_048_576L);
        if (maxBody < 1024) {
            errors.add("router.max_body_bytes: must be at least 1024, got " + maxBody);
        }
        Optional<Path> traceDir = Optional.ofNullable(env.get("LLM_ROUTER_TRACE_DIR"))
                .or(() -> router.get("trace.dir").asString().asOptional())
                .filter(d -> !d.isBlank())
                .map(d -> home.resolve(d));
        String prompts = env.getOrDefault(
                "LLM_ROUTER_TRACE_PROMPTS",
                router.get("trace.prompts").asString().orElse("hash"));
        if (!Set.of("full", "hash", "none").contains(prompts)) {
            errors.add("router.trace.prompts: expected full, hash or none, got '" + prompts + "'");
        }
        long maxFile = router.get("trace.max_file_bytes").asLong().orElse(64L * 1024 * 1024);
        if (maxFile < 4096) {
            errors.add("router.trace.max_file_bytes: must be at least 4096, got " + maxFile);
        }
        SimulatedProvider.Settings simulated = simulated(router.get("simulated"), errors);
        String device = router.get("device").asString().orElse("auto");
        if (!Set.of("auto", "cpu", "gpu").contains(device)) {
            errors.add("router.device: expected auto, cpu or gpu, got '" + device + "'");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("server config " + file + " refused with " + errors.size()
                    + (errors.size() == 1 ? " error" : " errors") + ":\n  " + String.join("\n  ", errors));
        }
        return new ServerSettings(
                host,
                port,
                home.resolve(router.get("catalog").asString().orElse("config/catalog.yaml")),
                home.resolve(router.get("policy").asString().orElse("config/policy.yaml")),
                router.get("classifier").asString().orElse("models/default"),
                device,
                providers,
                keys,
                maxBody,
                traceDir,
                prompts,
                maxFile,
                simulated);
    }

    /** The same settings on another port (the command line's --port). */
    ServerSettings withPort(int value) {
        return new ServerSettings(
                host,
                value,
                catalog,
                policy,
                classifier,
                device,
                providers,
                apiKeys,
                maxBodyBytes,
                traceDir,
                tracePrompts,
                traceMaxFileBytes,
                simulated);
    }

    private static SimulatedProvider.Settings simulated(Config node, List<String> errors) {
        SimulatedProvider.Settings d = SimulatedProvider.Settings.DEFAULT;
        long latency = node.get("latency_ms").asLong().orElse(d.latency().toMillis());
        double errorRate = node.get("error_rate").asDouble().orElse(d.errorRate());
        Map<Integer, Double> quality = new TreeMap<>(d.qualityByTier());
        for (Config tier : node.get("quality").asNodeList().orElse(List.of())) {
            try {
                quality.put(Integer.parseInt(tier.name()), tier.asDouble().get());
            } catch (RuntimeException e) {
                errors.add("router.simulated.quality." + tier.name() + ": expected tier: share, e.g. 1: 0.6");
            }
        }
        try {
            return new SimulatedProvider.Settings(Duration.ofMillis(latency), errorRate, quality);
        } catch (IllegalArgumentException e) {
            errors.add("router.simulated: " + e.getMessage());
            return d;
        }
    }

    private static int integer(String override, Config node, int fallback, String key, List<String> errors) {
        if (override != null) {
            try {
                return Integer.parseInt(override.trim());
            } catch (NumberFormatException e) {
                errors.add(key + " (from the environment): expected a number, got '" + override + "'");
                return fallback;
            }
        }
        try {
            return node.asInt().orElse(fallback);
        } catch (RuntimeException e) {
            errors.add(key + ": expected a number, got '" + node.asString().orElse("") + "'");
            return fallback;
        }
    }

    private static void unknown(Config node, String prefix, Set<String> known, List<String> errors) {
        if (!node.exists() || !node.isObject()) {
            return;
        }
        for (Config child : node.asNodeList().orElse(List.of())) {
            if (!known.contains(child.name())) {
                errors.add(prefix + child.name() + ": unknown setting (known: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }
}
