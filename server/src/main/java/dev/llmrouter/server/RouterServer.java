package dev.llmrouter.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.engine.Router;
import dev.llmrouter.request.Json;
import io.helidon.common.mapper.MapperManager;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.ErrorHandling;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The router as an HTTP service (Helidon SE 4, virtual threads), on two sockets. The API socket serves the
 * OpenAI-compatible API under {@code /v1}; the management socket (loopback by default) serves
 * {@code /admin/policy}, {@code /health} and {@code /metrics}. The API needs a router API key when the settings
 * name any; admin needs an admin key (see {@link AdminApi}). {@link #start} listens first, then loads the
 * catalog, policy and models: until they are loaded {@code /health} says not ready and the API answers 503.
 */
public final class RouterServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RouterServer.class.getName());
    static final String MANAGEMENT = "management";

    @SuppressWarnings("deprecation") // the only way to set the instance GlobalManager reads without a lookup
    private static void setGlobalMappers() {
        MapperManager.global(MapperManager.create());
    }

    private final WebServer server;
    private final Optional<TraceLog> log;

    private final Engine engine;

    private RouterServer(WebServer server, Optional<TraceLog> log, Engine engine) {
        this.engine = engine;
        this.server = server;
        this.log = log;
    }

    /**
     * Reads the settings file (with the environment's overrides), loads everything and starts listening.
     *
     * @param port overrides the settings' API port when present (0 picks a free one)
     * @param managementPort overrides the management socket's port when present
     */
    public static RouterServer start(
            Path config, Optional<Integer> port, Optional<Integer> managementPort, Map<String, String> env, Path home) {
        return start(ServerSettings.load(config, env, home).withPorts(port, managementPort), env, home);
    }

    static RouterServer start(ServerSettings settings, Map<String, String> env, Path home) {
        RouterMetrics metrics = new RouterMetrics();
        AtomicReference<Engine> loaded = new AtomicReference<>();
        // the catalog, policy and models load first, while the server starts, which listens before they are in,
        // so health answers (not ready) meanwhile
        CompletableFuture<Engine> loading = CompletableFuture.supplyAsync(
                () -> Engine.load(settings, env, home, nanos -> {
                    Engine e = loaded.get();
                    metrics.classified(
                            e == null
                                    ? ""
                                    : Integer.toString(e.router().policy().version()),
                            e == null ? "" : e.router().classifier().info().id(),
                            nanos);
                }),
                runnable -> Thread.ofPlatform().daemon().name("llm-router-load").start(runnable));
        Supplier<Engine> engine = () -> {
            Engine e = loaded.get();
            if (e == null) {
                throw new ApiError(
                        503,
                        "server_error",
                        "not_ready",
                        "the router is still loading its catalog, policy and models; GET /health on the management"
                                + " socket says when it is ready",
                        List.of());
            }
            return e;
        };
        Gatekeeper callers = new Gatekeeper(settings.apiKeys(), settings.maxBodyBytes());
        Gatekeeper admins = new Gatekeeper(settings.adminKeys(), settings.maxBodyBytes());
        warnWhenOpen(settings);
        Optional<TraceLog> log = settings.trace().map(t -> new TraceLog(t, Clock.systemUTC()));
        log.ifPresent(metrics::traceLog);
        RecentTraces recent = new RecentTraces();
        OpenAiApi api = new OpenAiApi(engine, callers, metrics, log, recent);
        FeedbackApi feedback = new FeedbackApi(callers, log, recent, metrics, engine);
        AdminApi admin = new AdminApi(engine, admins, callers, metrics, log);
        BooleanSupplier ready = () -> loaded.get() != null;
        // Helidon 4 looks the global mapper manager up in its service registry, which builds a new one, on
        // every header conversion (each request's Content-Length): about a fifth of the router's CPU under
        // load in JFR. Set once, before the server is built, it is a field read. (Building it starts the
        // registry, about 70 ms: done here, it overlaps the loading above.)
        setGlobalMappers();
        WebServer server = WebServer.builder()
                .host(settings.api().host())
                .port(settings.api().port())
                .update(b -> limits(b, settings, metrics))
                .routing(r -> apiRoutes(r, settings, api, feedback, metrics))
                .putSocket(
                        MANAGEMENT,
                        ListenerConfig.builder()
                                .host(settings.management().host())
                                .port(settings.management().port())
                                .update(b -> limits(b, settings, metrics))
                                .routing(r -> managementRoutes(r, settings, admin, metrics, ready, engine))
                                .build())
                .build()
                .start();
        try {
            loaded.set(loading.join());
        } catch (CompletionException e) {
            server.stop();
            log.ifPresent(TraceLog::close);
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        Router router = loaded.get().router();
        metrics.policyInForce(router.policy());
        metrics.classifierInUse(router.classifier().info().id());
        LOG.log(
                System.Logger.Level.INFO,
                "llm-router listening on http://" + settings.api().host() + ":" + server.port()
                        + " (management: http://"
                        + settings.management().host() + ":" + server.port(MANAGEMENT) + "; providers: "
                        + settings.providers() + ", classifier: "
                        + router.classifier().info().id() + ", policy "
                        + router.policy().id() + " v" + router.policy().version() + ")");
        return new RouterServer(server, log, loaded.get());
    }

    private static void warnWhenOpen(ServerSettings settings) {
        if (settings.apiKeys().isEmpty()) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "no router API keys configured (router.api_keys or LLM_ROUTER_API_KEYS): the API is open to"
                            + " anyone who can reach " + settings.api().host() + ":"
                            + settings.api().port()
                            + (settings.api().loopback()
                                    ? " (loopback only, and only under the Host names localhost, 127.0.0.1, [::1]"
                                            + " or server.allowed_hosts)"
                                    : ""));
        }
        if (settings.adminKeys().isEmpty()) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "no admin keys configured (router.admin_keys or LLM_ROUTER_ADMIN_KEYS): any process on this"
                            + " machine may replace the policy through the management socket");
        }
    }

    /** Read timeouts, connection and request limits, TCP_NODELAY and Helidon's own errors, for a socket. */
    private static void limits(
            ListenerConfig.BuilderBase<?, ?> socket, ServerSettings settings, RouterMetrics metrics) {
        ServerSettings.Limits limits = settings.limits();
        socket.connectionOptions(SocketOptions.builder()
                        .tcpNoDelay(settings.tcpNoDelay())
                        .build())
                .maxPayloadSize(settings.maxBodyBytes())
                .idleConnectionTimeout(limits.idleTimeout())
                .idleConnectionPeriod(min(limits.idleTimeout(), Duration.ofSeconds(30)))
                .directHandlers(HttpHygiene.directErrors(settings.maxBodyBytes(), metrics))
                // Helidon's reason for a malformed request reaches the JSON error (it never echoes a secret)
                .errorHandling(ErrorHandling.builder().includeEntity(true).build())
                // HTTP/1.1 only, with this configuration: a second, discovered one would make Helidon guess the
                // protocol of each connection and close an HTTP/1.0 one without an answer
                .protocolsDiscoverServices(false)
                .addProtocol(Http1Config.builder()
                        .addReceiveListener(new ConnectionGuard(limits.headerTimeout(), limits.bodyTimeout(), metrics))
                        .build());
        if (limits.maxConnections() > 0) {
            socket.maxTcpConnections(limits.maxConnections());
        }
        if (limits.maxConcurrentRequests() > 0) {
            socket.maxConcurrentRequests(limits.maxConcurrentRequests());
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    /** What every request on a socket passes first (see {@link HttpHygiene}). */
    private static void filters(
            HttpRouting.Builder routing,
            ServerSettings.Listen socket,
            boolean keyless,
            ServerSettings settings,
            RouterMetrics metrics) {
        boolean guardHosts = !settings.allowedHosts().isEmpty() || (keyless && socket.loopback());
        routing.addFilter(new HttpHygiene(
                guardHosts
                        ? Optional.of(HttpHygiene.hostNames(socket.host(), settings.allowedHosts()))
                        : Optional.empty(),
                settings.limits().maxRequestsPerClient(),
                (req, res, e) -> apiError(req, res, e, metrics)));
    }

    private static void apiRoutes(
            HttpRouting.Builder routing,
            ServerSettings settings,
            OpenAiApi api,
            FeedbackApi feedback,
            RouterMetrics metrics) {
        filters(routing, settings.api(), settings.apiKeys().isEmpty(), settings, metrics);
        routing.register("/v1", api, feedback)
                .any((req, res) -> notFound(
                        req,
                        "POST /v1/chat/completions, GET /v1/models, POST /v1/route, POST"
                                + " /v1/feedback; admin, health and metrics are on the management socket"))
                .error(ApiError.class, (req, res, e) -> apiError(req, res, e, metrics))
                .error(Exception.class, (req, res, e) -> internalError(req, res, e, metrics));
    }

    private static void managementRoutes(
            HttpRouting.Builder routing,
            ServerSettings settings,
            AdminApi admin,
            RouterMetrics metrics,
            BooleanSupplier ready,
            Supplier<Engine> engine) {
        filters(routing, settings.management(), settings.adminKeys().isEmpty(), settings, metrics);
        Dashboard dashboard = new Dashboard(metrics, engine);
        routing.get("/admin/stats", dashboard::stats)
                .register("/dashboard", dashboard)
                .register("/admin", admin)
                .get("/health", (req, res) -> health(res, ready.getAsBoolean()))
                .get("/metrics", (req, res) -> {
                    res.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                    if (ready.getAsBoolean()) {
                        metrics.state(engine.get().router());
                    }
                    res.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
                })
                .any((req, res) -> notFound(
                        req, "GET|PUT /admin/policy, GET /admin/stats, GET /dashboard, GET /health, GET /metrics"))
                .error(ApiError.class, (req, res, e) -> apiError(req, res, e, metrics))
                .error(Exception.class, (req, res, e) -> internalError(req, res, e, metrics));
    }

    private static void notFound(ServerRequest req, String endpoints) {
        throw new ApiError(
                404,
                "invalid_request_error",
                "not_found",
                req.prologue().method().text() + " " + req.path().path() + " is not an endpoint of this socket ("
                        + endpoints + ")",
                List.of());
    }

    private static void health(ServerResponse res, boolean ready) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("live", true);
        body.put("ready", ready);
        OpenAiApi.send(res, ready ? 200 : 503, OpenAiApi.bytes(body));
    }

    private static void apiError(ServerRequest req, ServerResponse res, ApiError e, RouterMetrics metrics) {
        metrics.httpError(e.status(), e.code());
        if (res.isSent()) {
            return;
        }
        if (!req.content().consumed()) {
            // the body is left unread, so the connection closes after this answer (HttpHygiene): say so, or a
            // client would send its next request on a connection that is going away
            res.header(HeaderValues.CONNECTION_CLOSE);
        }
        e.retryAfterSeconds().ifPresent(s -> res.header("Retry-After", Long.toString(s)));
        if (e.status() == 502) {
            // the router has already tried every model the policy allows: a client retry would do it all again
            res.header("x-should-retry", "false");
        }
        res.status(Status.create(e.status()));
        res.header("Content-Type", "application/json");
        res.send(e.body());
    }

    private static void internalError(ServerRequest req, ServerResponse res, Exception e, RouterMetrics metrics) {
        if (e instanceof io.helidon.webserver.CloseConnectionException close) {
            throw close;
        }
        String id = HttpHygiene.id(req);
        LOG.log(System.Logger.Level.ERROR, "request " + id + " to " + req.path().path() + " failed", e);
        apiError(
                req,
                res,
                new ApiError(
                        500,
                        "server_error",
                        "internal_error",
                        "the router failed; its log has the details under request " + id,
                        List.of()),
                metrics);
    }

    /** The API socket's port. */
    public int port() {
        return server.port();
    }

    /** The management socket's port. */
    public int managementPort() {
        return server.port(MANAGEMENT);
    }

    @Override
    public void close() {
        server.stop();
        log.ifPresent(TraceLog::close);
        engine.router().state().close();
    }
}
