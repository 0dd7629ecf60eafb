package dev.llmrouter.cli;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.config.Documents;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "policy",
        mixinStandardHelpOptions = true,
        description = "Check a routing policy or print its identity.",
        subcommands = {PolicyCommand.Check.class, PolicyCommand.Hash.class})
final class PolicyCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = {
                "Admit a policy against a catalog; print every error with its exact path.",
                "Exit 0 when admitted, 2 when refused."
            })
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The policy file.")
        Path file;

        @Option(names = "--catalog", paramLabel = "FILE", description = "Model catalog (default: config/catalog.yaml).")
        Path catalog;

        @picocli.CommandLine.Mixin
        ClassifierOption classifierOption;

        @Override
        public Integer call() {
            ConfigFiles files = new ConfigFiles();
            files.catalog = java.util.Optional.ofNullable(catalog);
            Catalog loaded = files.loadCatalog();
            Policy policy = PolicyLoader.load(
                    file, loaded, classifierOption.load().classifier().intents());
            spec.commandLine()
                    .getOut()
                    .printf(
                            "policy %s admitted: id %s, version %d, %d routes, sha256 %s%n",
                            file, policy.id(), policy.version(), policy.routes().size(), policy.hash());
            return 0;
        }
    }

    @Command(
            name = "hash",
            mixinStandardHelpOptions = true,
            description = {
                "Print the sha256 of the policy's canonical form.",
                "Reordering keys, reformatting or comments do not change it; changing a rule does."
            })
    static final class Hash implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The policy file.")
        Path file;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(Documents.canonicalHash(Documents.read(file)));
            return 0;
        }
    }
}
