package dev.llmrouter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.config.ConfigNode;
import dev.llmrouter.request.Json;
import dev.llmrouter.stats.StatsSnapshot;
import dev.llmrouter.stats.TraceStats;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.TraceJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "stats",
        mixinStandardHelpOptions = true,
        description = {
            "The router's figures from its trace logs: escalation rate and causes, fallbacks, the gate's accept"
                    + " rate per model, cost per successful task, provider share and feedback, as the server's"
                    + " GET /admin/stats reports them (the router's own time is not in the log).",
            "Exit 2 when the files hold no trace."
        })
final class StatsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Trace log files (the server's traces/*.jsonl).")
    List<Path> files;

    @Option(
            names = "--by",
            defaultValue = "route",
            paramLabel = "route|intent|model|day",
            description = "Group the figures by (default: ${DEFAULT-VALUE}).")
    String by;

    @Option(
            names = "--window",
            paramLabel = "DURATION",
            description = "Only the last DURATION of the log (e.g. 1h), ending at its last trace (default: all of it).")
    Optional<String> window = Optional.empty();

    @Option(names = "--json", description = "Write the figures as JSON, as GET /admin/stats does.")
    boolean json;

    @Option(
            names = "--catalog",
            paramLabel = "FILE",
            description = "Model catalog, for providers (default: config/catalog.yaml).")
    Optional<Path> catalog = Optional.empty();

    private record Logged(DecisionTrace trace, Instant at) {}

    @Override
    public Integer call() {
        if (!TraceStats.GROUPINGS.contains(by)) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "--by: cannot group by '" + by + "': say one of " + String.join(", ", TraceStats.GROUPINGS));
        }
        ConfigFiles config = new ConfigFiles();
        config.catalog = catalog;
        Catalog models = config.loadCatalog();
        List<Logged> traces = new ArrayList<>();
        Map<String, List<Double>> feedback = new HashMap<>();
        Map<String, Instant> feedbackAt = new HashMap<>();
        for (Path file : files) {
            read(file, traces, feedback, feedbackAt);
        }
        if (traces.isEmpty()) {
            spec.commandLine()
                    .getErr()
                    .println("no trace in " + files + ": trace logs are the server's traces/*.jsonl");
            return Main.REFUSED;
        }
        Instant first = traces.stream().map(Logged::at).min(Instant::compareTo).orElseThrow();
        Instant last = traces.stream().map(Logged::at).max(Instant::compareTo).orElseThrow();
        // every minute from the first trace's to the last's (a log from 10:09:59 to 10:10:01 spans two)
        Duration span = Duration.ofMinutes(
                Math.floorDiv(last.getEpochSecond(), 60) - Math.floorDiv(first.getEpochSecond(), 60) + 1);
        Duration shown = window.map(w -> ConfigNode.parseDuration(w)
                        .filter(d -> d.toMinutes() >= 1)
                        .orElseThrow(() -> new picocli.CommandLine.ParameterException(
                                spec.commandLine(),
                                "--window: expected a duration of a minute or more such as 15m, 1h or 7d, got " + w)))
                .orElse(span);
        TraceStats stats = new TraceStats((int) Math.min(Integer.MAX_VALUE, span.toMinutes()), by);
        Map<String, String> groupOf = new HashMap<>();
        Map<String, Boolean> success = new HashMap<>();
        for (Logged l : traces) {
            String provider = l.trace()
                    .servedBy()
                    .flatMap(models::model)
                    .map(ModelSpec::provider)
                    .orElse("none");
            stats.add(l.trace(), l.at(), provider, OptionalLong.empty());
            groupOf.put(l.trace().traceId(), stats.groupOf(l.trace()));
            success.put(l.trace().traceId(), l.trace().outcome() == DecisionTrace.Outcome.SERVED);
        }
        feedback.forEach((id, scores) -> {
            String group = groupOf.get(id);
            if (group != null) {
                for (double score : scores) {
                    // the first score below the bar makes a successful task unsuccessful, once
                    boolean wasSuccess = success.getOrDefault(id, false);
                    stats.feedback(feedbackAt.get(id), group, score, wasSuccess);
                    if (score < TraceStats.FAILED_BELOW) {
                        success.put(id, false);
                    }
                }
            }
        });
        markers(traces, stats);
        StatsSnapshot snapshot = stats.snapshot(last, shown);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.MAPPER.valueToTree(snapshot).toPrettyString());
        } else {
            print(snapshot, traces.size(), out);
        }
        out.flush();
        return 0;
    }

    private static void read(
            Path file, List<Logged> traces, Map<String, List<Double>> feedback, Map<String, Instant> feedbackAt) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(lines.get(i));
            } catch (IOException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": not a JSON line of a trace log", e);
            }
            switch (node.path("type").asText()) {
                case "trace" -> {
                    DecisionTrace trace = TraceJson.fromTree(node.path("trace"));
                    traces.add(new Logged(trace, Instant.parse(trace.timestamp())));
                }
                case "feedback" -> {
                    String id = node.path("trace_id").asText();
                    feedback.computeIfAbsent(id, k -> new ArrayList<>())
                            .add(node.path("score").asDouble());
                    feedbackAt.put(id, Instant.parse(node.path("at").asText()));
                }
                default -> {} // admin audit lines
            }
        }
    }

    /** A marker wherever the policy version or the classifier differs from the trace before. */
    private static void markers(List<Logged> traces, TraceStats stats) {
        List<Logged> ordered =
                traces.stream().sorted((a, b) -> a.at().compareTo(b.at())).toList();
        String policy = null;
        String classifier = null;
        for (Logged l : ordered) {
            String p = l.trace().policy().id() + " v" + l.trace().policy().version();
            String c = l.trace().classifier().id();
            if (!p.equals(policy)) {
                stats.marker(l.at(), "policy", p);
                policy = p;
            }
            if (!c.equals(classifier)) {
                stats.marker(l.at(), "classifier", c);
                classifier = c;
            }
        }
    }

    private void print(StatsSnapshot s, int traces, PrintWriter out) {
        out.printf("%d traces from %s to %s (%d minutes), by %s%n%n", traces, s.from(), s.to(), s.minutes(), s.by());
        out.printf(
                "%-24s %9s %11s %9s %10s %14s %10s%n",
                s.by(), "requests", "escalation", "fallback", "cost USD", "per success", "feedback");
        s.groups()
                .forEach((name, g) -> out.printf(
                        "%-24s %9d %11s %9s %10.4f %14s %10s%n",
                        name,
                        g.requests(),
                        percent(g.escalationRate()),
                        percent(g.fallbackRate()),
                        g.costUsd(),
                        g.costPerSuccessfulTaskUsd() == null
                                ? "-"
                                : String.format(Locale.ROOT, "%.6f", g.costPerSuccessfulTaskUsd()),
                        g.feedbackMean() == null
                                ? "-"
                                : String.format(Locale.ROOT, "%.2f (%d)", g.feedbackMean(), g.feedbacks())));
        Map<String, Long> causes = new TreeMap<>();
        s.groups().values().forEach(g -> g.escalationCauses().forEach((c, n) -> causes.merge(c, n, Long::sum)));
        out.println();
        out.println("escalation causes: " + (causes.isEmpty() ? "none" : join(causes)));
        out.println("gate accept rate: "
                + s.models().entrySet().stream()
                        .filter(e -> e.getValue().gated() > 0)
                        .map(e -> e.getKey() + " " + percent(e.getValue().acceptRate()) + " of "
                                + e.getValue().gated() + " ("
                                + percent(e.getValue().learnedShare())
                                + " by a learned gate)")
                        .collect(Collectors.joining(", ")));
        out.println("provider share: "
                + s.providers().entrySet().stream()
                        .map(e -> e.getKey() + " " + percent(e.getValue().share()))
                        .collect(Collectors.joining(", ")));
        s.markers().forEach(m -> out.println("change at " + m.at() + ": " + m.kind() + " " + m.text()));
    }

    private static String join(Map<String, Long> counts) {
        return counts.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static String percent(Double share) {
        return share == null ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }
}
