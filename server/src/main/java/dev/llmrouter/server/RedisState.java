package dev.llmrouter.server;

import dev.llmrouter.engine.RouterState;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@link RouterState} in Redis, so that replicas behave as one router: budgets are atomic Lua scripts (reserve,
 * settle, expire), cooldowns and the escalation controller's scores are shared. Every key starts with the
 * configured prefix, whose hash tag keeps them in one cluster slot.
 *
 * <p>When Redis does not answer within the timeout, this replica goes on alone until a heartbeat reaches it
 * again: cooldowns and gate scores are kept locally, spend that no limit caps is counted locally and added to
 * Redis when it answers, and every charge that a limit caps is refused (fail closed). A cap is a promise never to
 * spend over it, and without the shared counter no replica knows what the others spent: a share of what was left
 * at the last read was tried and overspent, because a replica that rejoins first cannot see what the others
 * spent alone. So a {@code refuse} cap answers 429 while Redis is down, a {@code degrade} cap serves from its
 * lower tiers, and a quota from outside its premium set. A settlement is applied once, even when it is retried
 * after a lost reply.
 */
final class RedisState implements RouterState {
    private static final System.Logger LOG = System.getLogger(RedisState.class.getName());
    /**
     * Lettuce's reconnection logs a line every attempt (two a second while Redis is down); this class logs the
     * outage and the rejoin once each instead. Held here, so the level set on it is not collected away.
     */
    private static final List<java.util.logging.Logger> RECONNECTS = List.of(
            quiet("io.lettuce.core.protocol.ConnectionWatchdog"),
            quiet("io.lettuce.core.protocol.ReconnectionHandler"));

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.SEVERE);
        return logger;
    }

    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    /** How often a lost connection is tried again (Lettuce's default backs off to 30 s). */
    private static final Duration RECONNECT = Duration.ofMillis(500);

    private static final Duration REPLICA_GONE = Duration.ofSeconds(5);
    private static final Duration COOLING_FRESH = Duration.ofMillis(100);
    private static final Duration SCORES_FRESH = Duration.ofSeconds(1);
    /** How old a counter's reading may be for planning (reservations are always checked in Redis). */
    private static final Duration USED_FRESH = Duration.ofMillis(250);

    /** {@code router.state.redis}: where Redis is, the prefix of every key, how long a command may take. */
    record Settings(String uri, String keyPrefix, Duration timeout) {
        /** Never the password: settings may end up in a message or a log. */
        @Override
        public String toString() {
            return "redis " + redacted(uri) + " prefix " + keyPrefix + " timeout " + timeout;
        }
    }

    private record Snapshot<T>(T value, long takenNanos) {
        boolean fresh(Duration age) {
            return System.nanoTime() - takenNanos < age.toNanos();
        }
    }

    private record Pending(String id, List<Charge> actual, Instant at) {}

    private final io.lettuce.core.resource.ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    /** A second connection for what is not waited for, so that a reservation never queues behind it. */
    private final StatefulRedisConnection<String, String> background;

    /** Commands not waited for, ordered with the ones that are (a later read sees them). */
    private final io.lettuce.core.api.async.RedisAsyncCommands<String, String> async;
    /** Settlements, on the second connection: never waited for, and an exact read waits for them. */
    private final io.lettuce.core.api.async.RedisAsyncCommands<String, String> settlements;
    /** Settlements sent and not yet answered: an exact read waits for them. */
    private final Set<java.util.concurrent.CompletableFuture<?>> settling = ConcurrentHashMap.newKeySet();
    /** Models with failures counted (as of the last cooldown read, or since on this replica). */
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    private final String prefix;
    private final Duration timeout;
    private final String where;
    private final String replicaId = UUID.randomUUID().toString();
    private final Map<String, String> scripts = new HashMap<>();
    private final Map<String, String> shas = new ConcurrentHashMap<>();
    private final ScheduledExecutorService heartbeat;
    private volatile boolean connected = true;
    private volatile int replicas = 1;
    private volatile RouterState local = RouterState.inMemory();
    private volatile Snapshot<Map<String, Instant>> cooling = new Snapshot<>(Map.of(), 0);
    private final Map<String, Snapshot<double[]>> scores = new ConcurrentHashMap<>();
    private final Map<String, Snapshot<Long>> readings = new ConcurrentHashMap<>();
    /** While alone: reservations made locally, and what calls settled locally (to add to Redis later). */
    private final Set<String> localIds = ConcurrentHashMap.newKeySet();

    private final ConcurrentLinkedQueue<Pending> settledAlone = new ConcurrentLinkedQueue<>();

    RedisState(Settings settings) {
        RedisURI uri = RedisURI.create(settings.uri());
        uri.setTimeout(settings.timeout());
        resources = io.lettuce.core.resource.ClientResources.builder()
                .reconnectDelay(io.lettuce.core.resource.Delay.constant(RECONNECT))
                .build();
        client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
                .build());
        prefix = settings.keyPrefix();
        timeout = settings.timeout();
        where = redacted(settings.uri());
        try {
            connection = client.connect();
        } catch (RuntimeException e) {
            client.shutdown();
            resources.shutdown();
            throw new IllegalStateException(
                    "router.state.redis.uri: cannot reach Redis at " + redacted(settings.uri()) + " (" + e.getMessage()
                            + "): start it, or set router.state.backend: memory for one replica",
                    e);
        }
        redis = connection.sync();
        async = connection.async();
        background = client.connect();
        settlements = background.async();
        String expire = resource("expire.lua");
        for (String name : List.of("reserve", "settle", "used")) {
            scripts.put(name, expire + "\n" + resource(name + ".lua"));
        }
        scripts.put("failure", resource("failure.lua"));
        scripts.forEach((name, source) -> shas.put(name, redis.scriptLoad(source)));
        beat();
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "redis-state-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::heartbeat, 1000, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A Redis URI without its password, for messages. */
    static String redacted(String uri) {
        return uri.replaceAll("//[^@/]*@", "//***@");
    }

    @Override
    public boolean connected() {
        return connected;
    }

    /** How many replicas' heartbeats reached Redis in the last few seconds (this one included). */
    @Override
    public int replicas() {
        return replicas;
    }

    @Override
    public Map<String, Instant> cooling(Instant now) {
        Snapshot<Map<String, Instant>> snap = cooling;
        if (!connected) {
            Map<String, Instant> merged = new TreeMap<>(snap.value());
            merged.values().removeIf(until -> !until.isAfter(now));
            merged.putAll(local.cooling(now));
            return merged;
        }
        if (snap.fresh(COOLING_FRESH)) {
            return live(snap.value(), now);
        }
        return shared(
                () -> {
                    Map<String, Instant> read = new TreeMap<>();
                    redis.hgetall(prefix + "cooldown:until")
                            .forEach((model, ms) -> read.put(model, Instant.ofEpochMilli(Long.parseLong(ms))));
                    redis.hgetall(prefix + "cooldown:failures").forEach((model, count) -> {
                        if (!count.equals("0")) {
                            failing.add(model);
                        }
                    });
                    cooling = new Snapshot<>(read, System.nanoTime());
                    return live(read, now);
                },
                () -> cooling(now));
    }

    private static Map<String, Instant> live(Map<String, Instant> all, Instant now) {
        Map<String, Instant> out = new TreeMap<>(all);
        out.values().removeIf(until -> !until.isAfter(now));
        return out;
    }

    @Override
    public Optional<Instant> failure(String model, int afterFailures, Duration length, Instant now) {
        failing.add(model);
        return shared(
                () -> {
                    long until = (Long) eval(
                            "failure",
                            ScriptOutputType.INTEGER,
                            List.of(prefix + "cooldown:failures", prefix + "cooldown:until"),
                            model,
                            Integer.toString(afterFailures),
                            Long.toString(length.toMillis()),
                            Long.toString(now.toEpochMilli()));
                    if (until == 0) {
                        return Optional.<Instant>empty();
                    }
                    cooling = new Snapshot<>(Map.of(), 0); // read again: this replica's own cooldown at once
                    return Optional.of(Instant.ofEpochMilli(until));
                },
                () -> local.failure(model, afterFailures, length, now));
    }

    @Override
    public void success(String model, Instant now) {
        if (connected) {
            if (failing.remove(model)) { // only a model with failures counted has a run to end
                async.hdel(prefix + "cooldown:failures", model); // not waited for: a lost reset delays a cooldown
            }
        } else {
            local.success(model, now);
        }
    }

    @Override
    public void observe(String route, double score, int window) {
        if (connected) { // not waited for: a lost score only thins the controller's window
            String key = prefix + "scores:" + route;
            async.lpush(key, Double.toString(score));
            async.ltrim(key, 0, window - 1);
        } else {
            local.observe(route, score, window);
        }
    }

    @Override
    public double[] recent(String route, int window) {
        if (!connected) {
            return local.recent(route, window);
        }
        Snapshot<double[]> snap = scores.get(route);
        if (snap != null && snap.fresh(SCORES_FRESH) && snap.value().length <= window) {
            return snap.value();
        }
        return shared(
                () -> {
                    List<String> newestFirst = redis.lrange(prefix + "scores:" + route, 0, window - 1);
                    double[] out = new double[newestFirst.size()];
                    for (int i = 0; i < out.length; i++) {
                        out[out.length - 1 - i] = Double.parseDouble(newestFirst.get(i));
                    }
                    scores.put(route, new Snapshot<>(out, System.nanoTime()));
                    return out;
                },
                () -> local.recent(route, window));
    }

    @Override
    public long[] used(List<String> counters, Instant now) {
        awaitSettlements();
        return shared(
                () -> {
                    List<String> keys = new ArrayList<>();
                    keys.add(prefix + "reservations");
                    counters.forEach(c -> keys.add(prefix + c));
                    List<?> read =
                            (List<?>) eval("used", ScriptOutputType.MULTI, keys, Long.toString(now.toEpochMilli()));
                    long[] out = new long[counters.size()];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = (Long) read.get(i);
                        readings.put(counters.get(i), new Snapshot<>(out[i], System.nanoTime()));
                    }
                    return out;
                },
                () -> local.used(counters, now));
    }

    /** An exact read follows this replica's settlements: it waits (briefly) for those still on their way. */
    private void awaitSettlements() {
        for (java.util.concurrent.CompletableFuture<?> f : List.copyOf(settling)) {
            try {
                f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // failed or slow: it is kept for later, and the read shows the reservation instead (the safe side)
            }
        }
    }

    @Override
    public long[] recentlyUsed(List<String> counters, Instant now) {
        long[] out = new long[counters.size()];
        for (int i = 0; i < out.length; i++) {
            Snapshot<Long> reading = connected ? readings.get(counters.get(i)) : null;
            if (reading == null || !reading.fresh(USED_FRESH)) {
                return used(counters, now);
            }
            out[i] = reading.value();
        }
        return out;
    }

    @Override
    public int reserve(String id, List<Charge> charges, Instant now, Instant expires) {
        return shared(
                () -> {
                    List<String> keys = new ArrayList<>();
                    keys.add(prefix + "reservations");
                    List<String> args = new ArrayList<>(
                            List.of(Long.toString(now.toEpochMilli()), id, Long.toString(expires.toEpochMilli())));
                    for (Charge c : charges) {
                        keys.add(prefix + c.counter());
                        args.add(Long.toString(c.amount()));
                        args.add(Long.toString(c.limit()));
                        int of = c.shareOf().map(o -> indexOf(charges, o) + 1).orElse(0);
                        args.add(Integer.toString(of));
                        args.add(Double.toString(c.share()));
                        args.add(Long.toString(c.keepUntil().toEpochMilli()));
                    }
                    List<?> result =
                            (List<?>) eval("reserve", ScriptOutputType.MULTI, keys, args.toArray(String[]::new));
                    long taken = System.nanoTime();
                    for (int i = 0; i < charges.size(); i++) {
                        readings.put(charges.get(i).counter(), new Snapshot<>((Long) result.get(i + 1), taken));
                    }
                    return ((Long) result.get(0)).intValue();
                },
                () -> reserveAlone(id, charges, now, expires));
    }

    /** Alone, a charge that a limit caps is refused; the others are counted here, to be added to Redis later. */
    private int reserveAlone(String id, List<Charge> charges, Instant now, Instant expires) {
        for (int i = 0; i < charges.size(); i++) {
            Charge c = charges.get(i);
            if (c.amount() > 0 && (c.shareOf().isPresent() || c.limit() != Long.MAX_VALUE)) {
                settledAlone.add(new Pending(id, List.of(), now)); // Redis may hold it, if only the reply was lost
                return i;
            }
        }
        localIds.add(id); // its settlement releases what Redis may hold under the id (a reply that was lost)
        return local.reserve(id, charges, now, expires); // counted only: never refused
    }

    private static int indexOf(List<Charge> charges, String counter) {
        for (int i = 0; i < charges.size(); i++) {
            if (charges.get(i).counter().equals(counter)) {
                return i;
            }
        }
        throw new IllegalArgumentException("a share of " + counter + ", which the reservation does not charge");
    }

    @Override
    public void settle(String id, List<Charge> actual, Instant now) {
        if (!connected) {
            settleAlone(id, actual, now);
            return;
        }
        // not waited for: until Redis applies it, the reservation's worst case counts, which errs on the safe side
        Settle call = settleCall(id, actual, now);
        java.util.concurrent.CompletableFuture<Long> sent = settlements
                .<Long>evalsha(shas.get("settle"), ScriptOutputType.INTEGER, call.keys(), call.args())
                .toCompletableFuture();
        settling.add(sent);
        sent.whenComplete((ok, error) -> {
            if (error != null) {
                // NOSCRIPT after a restart, or Redis gone: off the I/O thread, again with the script, or kept
                Thread.ofVirtual().start(() -> {
                    settleOrKeep(id, actual, now);
                    settling.remove(sent);
                });
            } else {
                settling.remove(sent);
            }
        });
    }

    private void settleOrKeep(String id, List<Charge> actual, Instant now) {
        shared(
                () -> {
                    settleShared(id, actual, now);
                    return 0L;
                },
                () -> {
                    settleAlone(id, actual, now);
                    return 0L;
                });
    }

    private void settleAlone(String id, List<Charge> actual, Instant now) {
        if (localIds.remove(id)) {
            local.settle(id, actual, now);
        }
        settledAlone.add(new Pending(id, actual, now));
    }

    private record Settle(String[] keys, String[] args) {}

    private Settle settleCall(String id, List<Charge> actual, Instant now) {
        List<String> keys = new ArrayList<>();
        keys.add(prefix + "reservations");
        List<String> args = new ArrayList<>(List.of(Long.toString(now.toEpochMilli()), id));
        for (Charge c : actual) {
            keys.add(prefix + c.counter());
            args.add(Long.toString(c.amount()));
            args.add(Long.toString(c.keepUntil().toEpochMilli()));
        }
        return new Settle(keys.toArray(String[]::new), args.toArray(String[]::new));
    }

    private void settleShared(String id, List<Charge> actual, Instant now) {
        Settle call = settleCall(id, actual, now);
        eval("settle", ScriptOutputType.INTEGER, List.of(call.keys()), call.args());
    }

    /**
     * Runs {@code op} against Redis; when Redis does not answer, this replica goes on alone ({@code alone}) until
     * a heartbeat reaches Redis again.
     */
    private <T> T shared(Supplier<T> op, Supplier<T> alone) {
        if (!connected) {
            return alone.get();
        }
        try {
            return op.get();
        } catch (RuntimeException e) {
            if (!isRedisFailure(e)) {
                throw e;
            }
            lost(e);
            return alone.get();
        }
    }

    private static boolean isRedisFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getName().startsWith("io.lettuce.") || t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private synchronized void lost(RuntimeException e) {
        if (connected) {
            connected = false;
            local = RouterState.inMemory();
            LOG.log(
                    System.Logger.Level.WARNING,
                    "Redis at " + where + " does not answer (" + e.getMessage() + "): this replica goes on"
                            + " alone until it does: budget caps and quotas refuse the calls they cap, cooldowns and"
                            + " the escalation controller are kept here");
        }
    }

    private void heartbeat() {
        try {
            beat();
            if (!connected) {
                rejoin();
            }
            drainSettledAlone(); // settlements that finished alone after the rejoin
        } catch (RuntimeException e) {
            if (isRedisFailure(e)) {
                lost(e);
            } else {
                LOG.log(System.Logger.Level.WARNING, "Redis heartbeat failed", e);
            }
        }
    }

    /** Announces this replica and counts the replicas whose heartbeat is recent. */
    private void beat() {
        long now = System.currentTimeMillis();
        String key = prefix + "replicas";
        redis.zadd(key, now, replicaId);
        redis.zremrangebyscore(key, io.lettuce.core.Range.create(0, now - REPLICA_GONE.toMillis()));
        replicas = (int) Math.max(1, redis.zcard(key));
    }

    /** Back in touch: what this replica settled alone is added to Redis, then Redis is the state again. */
    private synchronized void rejoin() {
        int pushed = drainSettledAlone();
        localIds.clear();
        connected = true;
        cooling = new Snapshot<>(Map.of(), 0);
        scores.clear();
        LOG.log(
                System.Logger.Level.INFO,
                "Redis answers again: " + pushed
                        + " settlements made alone were added; the replicas share state again");
    }

    private int drainSettledAlone() {
        int pushed = 0;
        Pending p;
        while ((p = settledAlone.poll()) != null) {
            settleShared(p.id(), p.actual(), p.at());
            pushed++;
        }
        return pushed;
    }

    private Object eval(String script, ScriptOutputType type, List<String> keys, String... args) {
        String sha = shas.computeIfAbsent(script, s -> redis.scriptLoad(scripts.get(s)));
        String[] keyArray = keys.toArray(String[]::new);
        try {
            return redis.evalsha(sha, type, keyArray, args);
        } catch (RedisNoScriptException e) { // Redis restarted and lost its script cache
            shas.remove(script);
            return redis.evalsha(
                    shas.computeIfAbsent(script, s -> redis.scriptLoad(scripts.get(s))), type, keyArray, args);
        }
    }

    private static String resource(String name) {
        try (InputStream in = RedisState.class.getResourceAsStream("redis/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource redis/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            redis.zrem(prefix + "replicas", replicaId);
        } catch (RuntimeException e) {
            // Redis is gone: the heartbeat ages out on its own
        }
        background.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
