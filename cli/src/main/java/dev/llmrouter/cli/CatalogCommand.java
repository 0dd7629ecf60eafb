package dev.llmrouter.cli;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.CatalogLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "catalog",
        mixinStandardHelpOptions = true,
        description = "Check a model catalog.",
        subcommands = {CatalogCommand.Check.class})
final class CatalogCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = "Admit a catalog; print every error with its path and exit 2 if it is refused.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The catalog file.")
        Path file;

        @Override
        public Integer call() {
            Catalog catalog = CatalogLoader.load(file);
            spec.commandLine()
                    .getOut()
                    .printf(
                            "catalog %s admitted: %d models from %d providers, prices as of %s, sha256 %s%n",
                            file,
                            catalog.models().size(),
                            catalog.providers().size(),
                            catalog.pricesAsOf(),
                            catalog.hash());
            return 0;
        }
    }
}
