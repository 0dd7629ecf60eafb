package dev.llmrouter.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.config.ConfigNode;
import dev.llmrouter.request.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in dashboard on the management socket, for teams without Prometheus: {@code GET /dashboard}, one
 * page whose charts (uPlot, from its WebJar on the classpath: no CDN) read {@code GET /admin/stats?window=},
 * the figures of the rolling one-minute windows {@link RouterMetrics} keeps, the gate threshold in force per
 * route, and the shadow or canary candidate when one runs. Read-only, like {@code /metrics}.
 */
final class Dashboard implements HttpService {
    static final Duration LONGEST = Duration.ofHours(24);
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final Map<String, String[]> FILES = Map.of(
            "", new String[] {"dev/llmrouter/server/dashboard.html", "text/html; charset=utf-8"},
            "/uPlot.iife.min.js", new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "/uPlot.min.css", new String[] {UPLOT + "uPlot.min.css", "text/css; charset=utf-8"});

    private final RouterMetrics metrics;
    private final java.util.function.Supplier<Engine> engine;
    private final Map<String, byte[]> content;

    Dashboard(RouterMetrics metrics, java.util.function.Supplier<Engine> engine) {
        this.metrics = metrics;
        this.engine = engine;
        this.content = Map.copyOf(FILES.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> read(e.getValue()[0]))));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> file("", res))
                .get("/uPlot.iife.min.js", (req, res) -> file("/uPlot.iife.min.js", res))
                .get("/uPlot.min.css", (req, res) -> file("/uPlot.min.css", res));
    }

    /** {@code GET /admin/stats?window=1h}: the figures of the window, as JSON. */
    void stats(ServerRequest req, ServerResponse res) {
        String asked = req.query().first("window").orElse("1h");
        Optional<Duration> window = ConfigNode.parseDuration(asked)
                .filter(d -> d.compareTo(Duration.ofMinutes(1)) >= 0 && d.compareTo(LONGEST) <= 0);
        if (window.isEmpty()) {
            throw ApiError.badRequest(
                    "window: expected a duration from 1m to 24h such as 15m, 1h or 24h, got \"" + asked + "\"");
        }
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        ObjectNode body = Json.MAPPER.valueToTree(metrics.stats(window.get()));
        body.set("bounds", Json.MAPPER.valueToTree(metrics.watchBounds()));
        body.set("gate_thresholds", Json.MAPPER.valueToTree(metrics.gateThresholds()));
        // the budgets' counters in their current windows, and whether the shared state answers
        dev.llmrouter.engine.Router router = engine.get().router();
        com.fasterxml.jackson.databind.node.ArrayNode budgets = body.putArray("budgets");
        router.budgets().forEach(b -> budgets.addObject()
                .put("budget", b.budget())
                .put("scope", b.scope())
                .put("kind", b.kind())
                .put("used", b.used())
                .put("limit", b.limit())
                .put("used_ratio", b.usedRatio())
                .put("alert_at", b.alertAt())
                .put("resets_at", b.resetsAt().toString()));
        body.putObject("state")
                .put("connected", router.state().connected())
                .put("replicas", router.state().replicas());
        // the candidate beside the live router, if one runs (what GET /admin/candidate says, read-only)
        engine.get().candidate().ifPresent(c -> body.set("candidate", c.describe()));
        OpenAiApi.send(res, 200, OpenAiApi.bytes(body));
    }

    private void file(String name, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, FILES.get(name)[1]);
        res.send(content.get(name));
    }

    private static byte[] read(String resource) {
        try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath: the dashboard needs it (the uPlot"
                        + " WebJar org.webjars.npm:uplot:1.6.30 and the server's own resources)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
