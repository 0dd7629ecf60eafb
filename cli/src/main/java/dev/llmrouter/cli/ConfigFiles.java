package dev.llmrouter.cli;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.CatalogLoader;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The {@code --catalog} and {@code --policy} options shared by subcommands. Defaults are the files under
 * {@code config/} of the installation ({@code llmrouter.home}, set by the launcher), else of the working
 * directory.
 */
final class ConfigFiles {
    @Option(names = "--catalog", paramLabel = "FILE", description = "Model catalog (default: config/catalog.yaml).")
    Optional<Path> catalog = Optional.empty();

    @Option(names = "--policy", paramLabel = "FILE", description = "Routing policy (default: config/policy.yaml).")
    Optional<Path> policy = Optional.empty();

    Catalog loadCatalog() {
        return CatalogLoader.load(catalog.orElseGet(() -> defaultFile("catalog.yaml")));
    }

    Policy loadPolicy(Catalog loaded, Classifier classifier) {
        return PolicyLoader.load(policy.orElseGet(() -> defaultFile("policy.yaml")), loaded, classifier.intents());
    }

    static Path defaultFile(String name) {
        String home = System.getProperty("llmrouter.home", "");
        Path base = home.isEmpty() ? Path.of("config") : Path.of(home, "config");
        Path file = base.resolve(name);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no " + name + " at " + file.toAbsolutePath() + ": pass the file with --"
                    + name.replace(".yaml", "") + " FILE");
        }
        return file;
    }
}
