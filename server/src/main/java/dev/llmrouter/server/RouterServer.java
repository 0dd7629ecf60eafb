package dev.llmrouter.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.config.Documents;
import dev.llmrouter.request.Json;
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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The router as an HTTP service (Helidon SE 4, virtual threads): the OpenAI-compatible API under
 * {@code /v1}, {@code /admin/policy}, {@code /health} and {@code /metrics}. Every endpoint but health and
 * metrics needs a router API key when the settings name any. {@link #start} loads the catalog, policy and
 * models before it listens; readiness turns true once they are loaded.
 */
public final class RouterServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RouterServer.class.getName());

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
        AtomicBoolean ready = new AtomicBoolean(false);
        RouterMetrics metrics = new RouterMetrics();
        Engine[] holder = new Engine[1];
        Engine engine = Engine.load(
                settings,
                env,
                home,
                nanos -> metrics.classified(
                        holder[0] == null
                                ? "0"
                                : Integer.toString(holder[0].router().policy().version()),
                        holder[0] == null
                                ? ""
                                : holder[0].router().classifier().info().id(),
                        nanos));
        holder[0] = engine;
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
        AdminApi admin = new AdminApi(engine, gatekeeper, Documents.read(settings.policy()), settings.maxBodyBytes());
        WebServer server = WebServer.builder()
                .host(settings.host())
                .port(settings.port())
                .routing(routing -> routes(routing, api, admin, metrics, ready))
                .build()
                .start();
        ready.set(true);
        LOG.log(
                System.Logger.Level.INFO,
                "llm-router listening on http://" + settings.host() + ":" + server.port() + " (providers: "
                        + settings.providers() + ", classifier: "
                        + engine.router().classifier().info().id()
                        + ", policy " + engine.router().policy().id() + " v"
                        + engine.router().policy().version()
                        + ")");
        return new RouterServer(server, log);
    }

    private static void routes(
            HttpRouting.Builder routing, OpenAiApi api, AdminApi admin, RouterMetrics metrics, AtomicBoolean ready) {
        routing.register("/v1", api)
                .register("/admin", admin)
                .get("/health", (req, res) -> health(res, ready.get()))
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
