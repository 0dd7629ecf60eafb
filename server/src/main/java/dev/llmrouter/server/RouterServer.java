package dev.llmrouter.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.config.Documents;
import dev.llmrouter.engine.Router;
import dev.llmrouter.request.Json;
import io.helidon.common.mapper.MapperManager;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The router as an HTTP service (Helidon SE 4, virtual threads): the OpenAI-compatible API under
 * {@code /v1}, {@code /admin/policy}, {@code /health} and {@code /metrics}. Every endpoint but health and
 * metrics needs a router API key when the settings name any. {@link #start} listens first, then loads the
 * catalog, policy and models: until they are loaded {@code /health} says not ready and the API answers 503.
 */
public final class RouterServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RouterServer.class.getName());

    static {
        // Helidon 4.4.0 looks the global mapper manager up in its service registry, which builds a new one,
        // on every header conversion (each request's Content-Length): about a fifth of the router's CPU
        // under load in JFR. Set once, before anything uses Helidon, it is a field read.
        setGlobalMappers();
    }

    @SuppressWarnings("deprecation") // the only way to set the instance GlobalManager reads without a lookup
    private static void setGlobalMappers() {
        MapperManager.global(MapperManager.create());
    }

    private final WebServer server;
    private final Optional<TraceLog> log;

    private RouterServer(WebServer server, Optional<TraceLog> log) {
        this.server = server;
        this.log = log;
    }

    /**
     * Reads the settings file (with the environment's overrides), loads everything and starts listening.
     *
     * @param port overrides the settings' port when present (0 picks a free one)
     */
    public static RouterServer start(Path config, Optional<Integer> port, Map<String, String> env, Path home) {
        ServerSettings settings = ServerSettings.load(config, env, home);
        if (port.isPresent()) {
            settings = settings.withPort(port.get());
        }
        return start(settings, env, home);
    }

    static RouterServer start(ServerSettings settings, Map<String, String> env, Path home) {
        RouterMetrics metrics = new RouterMetrics();
        AtomicReference<Engine> loaded = new AtomicReference<>();
        Supplier<Engine> engine = () -> {
            Engine e = loaded.get();
            if (e == null) {
                throw new ApiError(
                        503,
                        "server_error",
                        "not_ready",
                        "the router is still loading its catalog, policy and models; GET /health says when it is ready",
                        List.of());
            }
            return e;
        };
        Gatekeeper gatekeeper = new Gatekeeper(settings.apiKeys(), settings.maxBodyBytes());
        if (gatekeeper.open()) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "no router API keys configured (router.api_keys or LLM_ROUTER_API_KEYS): the API is open to"
                            + " anyone who can reach " + settings.host() + ":" + settings.port());
        }
        Optional<TraceLog> log = settings.traceDir()
                .map(dir ->
                        new TraceLog(dir, settings.tracePrompts(), settings.traceMaxFileBytes(), Clock.systemUTC()));
        OpenAiApi api = new OpenAiApi(engine, gatekeeper, metrics, log, new RecentTraces());
        AdminApi admin = new AdminApi(engine, gatekeeper, Documents.read(settings.policy()));
        // listen first, so health answers (not ready) while the models load
        WebServer server = WebServer.builder()
                .host(settings.host())
                .port(settings.port())
                .routing(routing -> routes(routing, api, admin, metrics, () -> loaded.get() != null))
                .build()
                .start();
        try {
            loaded.set(Engine.load(settings, env, home, nanos -> {
                Engine e = loaded.get();
                metrics.classified(
                        e == null ? "" : Integer.toString(e.router().policy().version()),
                        e == null ? "" : e.router().classifier().info().id(),
                        nanos);
            }));
        } catch (RuntimeException e) {
            server.stop();
            log.ifPresent(TraceLog::close);
            throw e;
        }
        Router router = loaded.get().router();
        LOG.log(
                System.Logger.Level.INFO,
                "llm-router listening on http://" + settings.host() + ":" + server.port() + " (providers: "
                        + settings.providers() + ", classifier: "
                        + router.classifier().info().id() + ", policy "
                        + router.policy().id() + " v" + router.policy().version() + ")");
        return new RouterServer(server, log);
    }

    private static void routes(
            HttpRouting.Builder routing,
            OpenAiApi api,
            AdminApi admin,
            RouterMetrics metrics,
            java.util.function.BooleanSupplier ready) {
        routing.register("/v1", api)
                .register("/admin", admin)
                .get("/health", (req, res) -> health(res, ready.getAsBoolean()))
                .get("/metrics", (req, res) -> {
                    res.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                    res.send(metrics.scrape().getBytes(StandardCharsets.UTF_8));
                })
                .any((req, res) -> {
                    throw new ApiError(
                            404,
                            "invalid_request_error",
                            "not_found",
                            req.prologue().method().text() + " " + req.path().path()
                                    + " is not an endpoint of this server (POST /v1/chat/completions, GET"
                                    + " /v1/models, POST /v1/route, POST /v1/feedback, GET|PUT /admin/policy,"
                                    + " GET /health, GET /metrics)",
                            List.of());
                })
                .error(ApiError.class, RouterServer::apiError)
                .error(Exception.class, RouterServer::internalError);
    }

    private static void health(ServerResponse res, boolean ready) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("live", true);
        body.put("ready", ready);
        OpenAiApi.send(res, ready ? 200 : 503, OpenAiApi.bytes(body));
    }

    private static void apiError(ServerRequest req, ServerResponse res, ApiError e) {
        if (res.isSent()) {
            return;
        }
        res.status(Status.create(e.status()));
        res.header("Content-Type", "application/json");
        res.send(e.body());
    }

    private static void internalError(ServerRequest req, ServerResponse res, Exception e) {
        LOG.log(System.Logger.Level.ERROR, "request " + req.path().path() + " failed", e);
        if (res.isSent()) {
            return;
        }
        ApiError error =
                new ApiError(500, "server_error", "internal_error", "the router failed: " + e.getMessage(), List.of());
        apiError(req, res, error);
    }

    /** The port the server listens on. */
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
        log.ifPresent(TraceLog::close);
    }
}
