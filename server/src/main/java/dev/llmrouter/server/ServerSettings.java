package dev.llmrouter.server;

import dev.llmrouter.config.ConfigNode;
import dev.llmrouter.provider.SimulatedProvider;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The server's settings, read from a Helidon config file ({@code config/server.yaml} by default) and then
 * overridden by environment variables (listed in {@link #ENV}). Relative paths resolve against {@code home}
 * (the installation). An unknown or wrong setting is refused with its key; so is a set of settings that would
 * leave the server open in a way nobody meant (see {@link #load}).
 *
 * @param api where the OpenAI-compatible API listens
 * @param management where admin, metrics and health listen (loopback by default)
 * @param allowedHosts {@code Host} names accepted on a socket without keys, besides the loopback names
 * @param providers {@code simulated}: every catalog provider is answered by {@link SimulatedProvider}, no
 *     key needed; {@code real}: the catalog's HTTP providers, keys from their environment variables
 * @param apiKeys bearer tokens that may call the API; empty means the API is open (a warning is logged)
 * @param adminKeys bearer tokens that may change the policy; an API key never can
 * @param stateDir where the policy and classifier accepted through the admin API are kept across restarts, with
 *     the history of every version that went live and a copy of each ({@link StateStore}); empty for nowhere
 * @param trace the decision trace log; empty for none
 * @param redis where replicas share their state (budgets, cooldowns, the escalation controller); empty keeps it in
 *     this process's memory ({@code router.state.backend: memory})
 */
record ServerSettings(
        Listen api,
        Listen management,
        Limits limits,
        boolean tcpNoDelay,
        List<String> allowedHosts,
        Path catalog,
        Path policy,
        String classifier,
        String device,
        String providers,
        List<String> apiKeys,
        List<String> adminKeys,
        long maxBodyBytes,
        Optional<Path> stateDir,
        Optional<TraceLog.Settings> trace,
        SimulatedProvider.Settings simulated,
        Optional<RedisState.Settings> redis) {

    /** A socket: host and port (0 picks a free one). */
    record Listen(String host, int port) {
        boolean loopback() {
            try {
                return InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }

    /**
     * What one caller may take of the server.
     *
     * @param headerTimeout from a request's first line to the end of its headers
     * @param bodyTimeout from the end of the headers to the end of the body
     * @param idleTimeout a kept-alive connection with no request is closed after this
     * @param maxConnections open connections per socket, 0 for no limit (Helidon's)
     * @param maxConcurrentRequests requests in progress per socket, 0 for no limit (Helidon's: 503 above it)
     * @param maxRequestsPerClient requests in progress from one client address, 0 for no limit (429 above it)
     */
    record Limits(
            Duration headerTimeout,
            Duration bodyTimeout,
            Duration idleTimeout,
            int maxConnections,
            int maxConcurrentRequests,
            int maxRequestsPerClient) {}

    /** Environment variables and the setting each overrides. */
    static final Map<String, String> ENV = new TreeMap<>(Map.ofEntries(
            Map.entry("LLM_ROUTER_HOST", "server.host"),
            Map.entry("LLM_ROUTER_PORT", "server.port"),
            Map.entry("LLM_ROUTER_MANAGEMENT_HOST", "server.management.host"),
            Map.entry("LLM_ROUTER_MANAGEMENT_PORT", "server.management.port"),
            Map.entry("LLM_ROUTER_API_KEYS", "router.api_keys"),
            Map.entry("LLM_ROUTER_ADMIN_KEYS", "router.admin_keys"),
            Map.entry("LLM_ROUTER_PROVIDERS", "router.providers"),
            Map.entry("LLM_ROUTER_TRACE_DIR", "router.trace.dir"),
            Map.entry("LLM_ROUTER_TRACE_PROMPTS", "router.trace.prompts"),
            Map.entry("LLM_ROUTER_TRACE_SALT", "router.trace.prompt_salt"),
            Map.entry("LLM_ROUTER_STATE_BACKEND", "router.state.backend"),
            Map.entry("LLM_ROUTER_REDIS_URI", "router.state.redis.uri")));

    private static final Map<String, Set<String>> KNOWN = Map.of(
            "",
            Set.of("server", "router"),
            "server",
            Set.of("host", "port", "management", "tcp_no_delay", "allowed_hosts", "limits"),
            "server.management",
            Set.of("host", "port"),
            "server.limits",
            Set.of(
                    "header_timeout",
                    "body_timeout",
                    "idle_timeout",
                    "max_connections",
                    "max_concurrent_requests",
                    "max_requests_per_client"),
            "router",
            Set.of(
                    "catalog",
                    "policy",
                    "classifier",
                    "device",
                    "providers",
                    "api_keys",
                    "admin_keys",
                    "max_body_bytes",
                    "state_dir",
                    "trace",
                    "simulated",
                    "state"),
            "router.state",
            Set.of("backend", "redis"),
            "router.state.redis",
            Set.of("uri", "key_prefix", "timeout"),
            "router.trace",
            Set.of("dir", "prompts", "prompt_salt", "max_file_bytes", "max_total_bytes", "max_age"),
            "router.simulated",
            Set.of("latency_ms", "error_rate", "quality", "difficulty"));

    ServerSettings {
        allowedHosts = List.copyOf(allowedHosts);
        apiKeys = List.copyOf(apiKeys);
        adminKeys = List.copyOf(adminKeys);
    }

    /**
     * Reads {@code file}, applies {@code env}, and checks every value; the errors name their keys. Refused as
     * well: a blank key, an environment variable set to nothing (it would silently replace the file's keys),
     * and a management socket off loopback with no admin key.
     */
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
        Reader r = new Reader(root, env);
        if (root.get("router.policy_store").exists()) {
            r.errors.add("router.policy_store: replaced by router.state_dir, the folder that keeps the accepted"
                    + " policy (as accepted-policy.json), the accepted classifier and the history of both: write"
                    + " state_dir: state instead of policy_store: state/accepted-policy.json");
        } else {
            KNOWN.forEach((path, keys) -> r.unknown(path, keys));
        }
        Listen api = new Listen(r.text("server.host", "127.0.0.1"), r.port("server.port", 8080));
        Listen management =
                new Listen(r.text("server.management.host", "127.0.0.1"), r.port("server.management.port", 8081));
        Limits limits = new Limits(
                r.duration("server.limits.header_timeout", Duration.ofSeconds(10)),
                r.duration("server.limits.body_timeout", Duration.ofSeconds(30)),
                r.duration("server.limits.idle_timeout", Duration.ofMinutes(5)),
                r.count("server.limits.max_connections"),
                r.count("server.limits.max_concurrent_requests"),
                r.count("server.limits.max_requests_per_client"));
        String providers = r.choice("router.providers", "simulated", List.of("simulated", "real"));
        List<String> apiKeys = r.keys("router.api_keys");
        List<String> adminKeys = r.keys("router.admin_keys");
        long maxBody = r.number("router.max_body_bytes", 1_048_576L, 1024, Integer.MAX_VALUE - 8L);
        String prompts = r.choice("router.trace.prompts", "hash", List.of("full", "hash", "none"));
        Optional<String> salt = r.optionalText("router.trace.prompt_salt").filter(s -> !s.isEmpty());
        long maxFile = r.number("router.trace.max_file_bytes", 64L * 1024 * 1024, 4096, Long.MAX_VALUE);
        long maxTotal = r.number("router.trace.max_total_bytes", 4L * 1024 * 1024 * 1024, 4096, Long.MAX_VALUE);
        Duration maxAge = r.duration("router.trace.max_age", Duration.ofDays(30));
        Optional<TraceLog.Settings> trace = r.optionalText("router.trace.dir")
                .filter(d -> !d.isBlank())
                .map(d -> new TraceLog.Settings(home.resolve(d), prompts, salt, maxFile, maxTotal, maxAge));
        SimulatedProvider.Settings simulated = simulated(root.get("router.simulated"), r.errors);
        String device = r.choice("router.device", "auto", List.of("auto", "cpu", "gpu"));
        Optional<RedisState.Settings> redis = redis(r);
        if (!management.loopback() && adminKeys.isEmpty()) {
            r.errors.add("server.management.host: " + management.host() + " is not a loopback address and"
                    + " router.admin_keys is empty, so anyone who reaches it could replace the policy: set admin keys"
                    + " (or LLM_ROUTER_ADMIN_KEYS), or bind the management socket to 127.0.0.1");
        }
        if (api.port() != 0 && api.port() == management.port() && api.host().equals(management.host())) {
            r.errors.add("server.management.port: " + management.port() + " is the API's port too: give the"
                    + " management socket a port of its own");
        }
        if (!r.errors.isEmpty()) {
            throw new IllegalArgumentException("server config " + file + " refused with " + r.errors.size()
                    + (r.errors.size() == 1 ? " error" : " errors") + ":\n  " + String.join("\n  ", r.errors));
        }
        return new ServerSettings(
                api,
                management,
                limits,
                r.bool("server.tcp_no_delay", true),
                r.list("server.allowed_hosts"),
                home.resolve(r.text("router.catalog", "config/catalog.yaml")),
                home.resolve(r.text("router.policy", "config/policy.yaml")),
                r.text("router.classifier", "models/default"),
                device,
                providers,
                apiKeys,
                adminKeys,
                maxBody,
                r.optionalText("router.state_dir").filter(s -> !s.isBlank()).map(home::resolve),
                trace,
                simulated,
                redis);
    }

    private static Optional<RedisState.Settings> redis(Reader r) {
        String backend = r.choice("router.state.backend", "memory", List.of("memory", "redis"));
        Optional<String> uri = r.optionalText("router.state.redis.uri").filter(u -> !u.isBlank());
        if (backend.equals("memory")) {
            return Optional.empty();
        }
        if (uri.isEmpty()) {
            r.errors.add("router.state.redis.uri: required with router.state.backend: redis, e.g."
                    + " redis://127.0.0.1:6379 (or LLM_ROUTER_REDIS_URI; a password goes in the URI,"
                    + " redis://:password@host:6379)");
            return Optional.empty();
        }
        if (!uri.get().matches("rediss?://.+")) {
            r.errors.add("router.state.redis.uri: expected redis://host:port or rediss://host:port, got "
                    + RedisState.redacted(uri.get()));
            return Optional.empty();
        }
        String prefix = r.text("router.state.redis.key_prefix", "{llm-router}:");
        Duration timeout = r.duration("router.state.redis.timeout", Duration.ofSeconds(1));
        return Optional.of(new RedisState.Settings(uri.get(), prefix, timeout));
    }

    /** The same settings on other ports (the command line's --port and --management-port). */
    ServerSettings withPorts(Optional<Integer> apiPort, Optional<Integer> managementPort) {
        return new ServerSettings(
                new Listen(api.host(), apiPort.orElse(api.port())),
                new Listen(management.host(), managementPort.orElse(management.port())),
                limits,
                tcpNoDelay,
                allowedHosts,
                catalog,
                policy,
                classifier,
                device,
                providers,
                apiKeys,
                adminKeys,
                maxBodyBytes,
                stateDir,
                trace,
                simulated,
                redis);
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
            return new SimulatedProvider.Settings(
                    Duration.ofMillis(latency),
                    errorRate,
                    quality,
                    node.get("difficulty").asDouble().orElse(d.difficulty()));
        } catch (IllegalArgumentException e) {
            errors.add("router.simulated: " + e.getMessage());
            return d;
        }
    }

    /** Reads settings by their dotted key, the environment first, collecting every error. */
    private static final class Reader {
        private final Config root;
        private final Map<String, String> env;
        private final List<String> errors = new ArrayList<>();

        Reader(Config root, Map<String, String> env) {
            this.root = root;
            this.env = env;
        }

        /** The environment's value for {@code key}, when a variable overrides it. */
        private Optional<String> fromEnv(String key) {
            return ENV.entrySet().stream()
                    .filter(e -> e.getValue().equals(key) && env.containsKey(e.getKey()))
                    .map(e -> env.get(e.getKey()))
                    .findFirst();
        }

        private static String where(String key, boolean fromEnv) {
            if (!fromEnv) {
                return key;
            }
            String variable = ENV.entrySet().stream()
                    .filter(e -> e.getValue().equals(key))
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElse("?");
            return key + " (from " + variable + ")";
        }

        Optional<String> optionalText(String key) {
            return fromEnv(key).or(() -> root.get(key).asString().asOptional());
        }

        String text(String key, String fallback) {
            return optionalText(key).orElse(fallback);
        }

        String choice(String key, String fallback, List<String> allowed) {
            String value = text(key, fallback);
            if (!allowed.contains(value)) {
                String listed = String.join(", ", allowed.subList(0, allowed.size() - 1)) + " or " + allowed.getLast();
                errors.add(where(key, fromEnv(key).isPresent()) + ": expected " + listed + ", got '" + value + "'");
            }
            return value;
        }

        boolean bool(String key, boolean fallback) {
            Optional<String> value = optionalText(key);
            if (value.isEmpty()) {
                return fallback;
            }
            if (!Set.of("true", "false").contains(value.get())) {
                errors.add(
                        where(key, fromEnv(key).isPresent()) + ": expected true or false, got '" + value.get() + "'");
                return fallback;
            }
            return Boolean.parseBoolean(value.get());
        }

        long number(String key, long fallback, long min, long max) {
            Optional<String> value = optionalText(key);
            if (value.isEmpty()) {
                return fallback;
            }
            try {
                long n = Long.parseLong(value.get().trim());
                if (n < min || n > max) {
                    errors.add(where(key, fromEnv(key).isPresent()) + ": must be " + min + " to " + max + ", got " + n);
                }
                return n;
            } catch (NumberFormatException e) {
                errors.add(where(key, fromEnv(key).isPresent()) + ": expected a number, got '" + value.get() + "'");
                return fallback;
            }
        }

        int port(String key, int fallback) {
            return (int) number(key, fallback, 0, 65535);
        }

        /** A limit: 0 (the default) for none. */
        int count(String key) {
            return (int) number(key, 0, 0, Integer.MAX_VALUE);
        }

        Duration duration(String key, Duration fallback) {
            Optional<String> value = optionalText(key);
            if (value.isEmpty()) {
                return fallback;
            }
            Optional<Duration> parsed = ConfigNode.parseDuration(value.get());
            if (parsed.isEmpty() || parsed.get().isNegative() || parsed.get().isZero()) {
                errors.add(where(key, fromEnv(key).isPresent())
                        + ": expected a positive duration such as 500ms, 30s, 5m, 1h or 7d, got '" + value.get()
                        + "'");
                return fallback;
            }
            return parsed.get();
        }

        List<String> list(String key) {
            return root.get(key).asList(String.class).orElse(List.of());
        }

        /**
         * Keys from the environment (comma-separated) when its variable is set, else from the file. A variable
         * set to nothing, and a blank key anywhere, are errors: either would open the server silently.
         */
        List<String> keys(String key) {
            Optional<String> raw = fromEnv(key);
            if (raw.isPresent()) {
                String variable = where(key, true);
                if (raw.get().isBlank()) {
                    errors.add(variable + ": the variable is set but holds no key, which would drop the keys the"
                            + " config lists and leave the server open: unset it, or list keys separated by commas");
                    return List.of();
                }
                String[] parts = raw.get().split(",", -1);
                List<String> keys = new ArrayList<>();
                for (int i = 0; i < parts.length; i++) {
                    if (parts[i].isBlank()) {
                        errors.add(variable + ": key " + (i + 1) + " of " + parts.length + " is blank");
                    } else {
                        keys.add(parts[i].strip());
                    }
                }
                return keys;
            }
            Config node = root.get(key);
            if (!node.exists()) {
                return List.of();
            }
            if (node.isLeaf()) {
                errors.add(key + ": expected a list of keys, e.g. [key-one, key-two]");
                return List.of();
            }
            List<Config> items = node.asNodeList().orElse(List.of());
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                String value = items.get(i).asString().orElse("");
                if (value.isBlank()) {
                    errors.add(key + "[" + i + "]: a blank key would let anyone in: remove it or give it a value");
                } else {
                    keys.add(value.strip());
                }
            }
            return keys;
        }

        void unknown(String path, Set<String> known) {
            Config node = path.isEmpty() ? root : root.get(path);
            if (!node.exists() || !node.isObject()) {
                return;
            }
            String prefix = path.isEmpty() ? "" : path + ".";
            for (Config child : node.asNodeList().orElse(List.of())) {
                if (!known.contains(child.name())) {
                    errors.add(prefix + child.name() + ": unknown setting (known: "
                            + String.join(", ", new TreeSet<>(known)) + ")");
                }
            }
        }
    }
}
