package dev.llmrouter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.config.Documents;
import dev.llmrouter.engine.DecisionModels;
import dev.llmrouter.engine.Router;
import dev.llmrouter.evalsets.OffPolicy;
import dev.llmrouter.evalsets.TraceLogRecords;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.server.StateStore;
import dev.llmrouter.trace.DecisionTrace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Decide the logged requests again with the policy and classifier that decided them, as the state",
            "folder archived them (router.state_dir), and report every decision that comes out otherwise.",
            "Needs a trace log that kept prompts (router.trace.prompts: full). Exit 0 when every decision is",
            "the same, 1 when one differs or its versions are not in the archive."
        })
final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--traces", required = true, arity = "1..*", paramLabel = "FILE", description = "Trace logs.")
    List<Path> traces;

    @Option(names = "--state", required = true, paramLabel = "DIR", description = "The server's state folder.")
    Path state;

    @Option(names = "--catalog", paramLabel = "FILE", description = "Model catalog (default: config/catalog.yaml).")
    Optional<Path> catalog = Optional.empty();

    @Option(
            names = "--show",
            defaultValue = "10",
            paramLabel = "N",
            description = "Differences listed at most (default: ${DEFAULT-VALUE}).")
    int show;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ConfigFiles files = new ConfigFiles();
        files.catalog = catalog;
        Catalog loaded = files.loadCatalog();
        StateStore archive = new StateStore(state);
        List<TraceLogRecords.Logged> logged = OffPolicy.withPrompts(traces);
        if (logged.isEmpty()) {
            throw new IllegalArgumentException("no logged request kept its prompt: replay needs a trace log written"
                    + " with router.trace.prompts: full");
        }
        Map<String, Optional<Router>> routers = new HashMap<>();
        List<String> differences = new ArrayList<>();
        int same = 0;
        int missing = 0;
        for (TraceLogRecords.Logged l : logged) {
            DecisionTrace trace = l.trace();
            String key = trace.policy().hash() + "|" + trace.classifier().hash();
            Optional<Router> router = routers.computeIfAbsent(key, k -> router(archive, loaded, trace, out));
            if (router.isEmpty()) {
                missing++;
                continue;
            }
            DecisionTrace again = router.get().explain(l.request().orElseThrow());
            if (again.route().equals(trace.route()) && again.start().equals(trace.start())) {
                same++;
            } else {
                differences.add(trace.traceId() + ": logged " + trace.route().orElse("-") + " -> "
                        + trace.start().orElse("-") + ", now " + again.route().orElse("-") + " -> "
                        + again.start().orElse("-"));
            }
        }
        out.printf(
                "%d logged requests decided again with the versions that decided them: %d the same, %d otherwise,"
                        + " %d whose versions are not in %s%n",
                logged.size(), same, differences.size(), missing, state);
        differences.stream().limit(show).forEach(d -> out.println("  " + d));
        return differences.isEmpty() && missing == 0 ? 0 : Main.FAILED;
    }

    /** A router of the trace's archived policy and classifier, calling no model; empty when either is missing. */
    private static Optional<Router> router(StateStore archive, Catalog catalog, DecisionTrace trace, PrintWriter out) {
        Optional<Path> policy = archive.copyOf(trace.policy().hash());
        String classifierId = trace.classifier().id();
        Optional<String> classifier = classifierId.startsWith("heuristic")
                ? Optional.of(DecisionModels.HEURISTIC)
                : archive.copyOf(trace.classifier().hash()).map(Path::toString);
        if (policy.isEmpty() || classifier.isEmpty()) {
            out.println("not archived: "
                    + (policy.isEmpty() ? "policy " + trace.policy().hash() + " " : "")
                    + (classifier.isEmpty()
                            ? "classifier " + classifierId + " "
                                    + trace.classifier().hash()
                            : ""));
            return Optional.empty();
        }
        DecisionModels models = DecisionModels.load(classifier.get(), Path.of(""), Device.CPU);
        JsonNode document = Documents.read(policy.get());
        Policy admitted = PolicyLoader.admit(
                document, policy.get().toString(), catalog, models.classifier().intents());
        return Optional.of(Undialled.router(catalog, admitted, models));
    }
}
