package dev.llmrouter.cli;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.engine.DecisionModels;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.server.PrometheusRules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "monitoring",
        mixinStandardHelpOptions = true,
        description = "What watching the router takes: its Prometheus rules.",
        subcommands = {MonitoringCommand.Rules.class})
final class MonitoringCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "rules",
            mixinStandardHelpOptions = true,
            description = {
                "Write the Prometheus recording and alert rules for a policy: each route's alerts with the bounds"
                        + " and window of its watch verb (the defaults where it has none).",
                "The policy is admitted first, against the catalog and the classifier, as the server would."
            })
    static final class Rules implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ConfigFiles files;

        @Mixin
        ClassifierOption classifierOption;

        @Option(names = "--out", paramLabel = "FILE", description = "Write the rules here (default: print them).")
        Optional<Path> out = Optional.empty();

        @Override
        public Integer call() {
            Catalog catalog = files.loadCatalog();
            Policy policy;
            try (DecisionModels models = classifierOption.load()) {
                policy = files.loadPolicy(catalog, models.classifier());
            }
            String rules = PrometheusRules.of(policy);
            if (out.isEmpty()) {
                spec.commandLine().getOut().print(rules);
                spec.commandLine().getOut().flush();
                return 0;
            }
            try {
                Path parent = out.get().toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Files.writeString(out.get(), rules, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + out.get() + ": " + e.getMessage(), e);
            }
            spec.commandLine()
                    .getErr()
                    .printf(
                            "wrote the rules of policy %s v%d (%d routes) to %s%n",
                            policy.id(), policy.version(), policy.routes().size(), out.get());
            return 0;
        }
    }
}
