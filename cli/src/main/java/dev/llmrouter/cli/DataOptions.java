package dev.llmrouter.cli;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.evalsets.LabelledRecord;
import dev.llmrouter.evalsets.RecordLoader;
import dev.llmrouter.evalsets.TierMap;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The labelled data a command reads and the catalog and tier map that name its models: the options
 * {@code train}, {@code eval}, {@code crossval} and {@code calibrate} share.
 */
final class DataOptions {
    @Option(
            names = "--data",
            required = true,
            arity = "1..*",
            paramLabel = "FILE",
            description = "Labelled JSONL files, or the server's trace logs.")
    List<Path> data;

    @Option(names = "--catalog", paramLabel = "FILE", description = "Model catalog (default: config/catalog.yaml).")
    Optional<Path> catalog = Optional.empty();

    @Option(names = "--tiers", paramLabel = "FILE", description = "Model-to-tier mapping (default: config/tiers.yaml).")
    Optional<Path> tiers = Optional.empty();

    @Option(names = "--skip-invalid", description = "Skip and count invalid lines instead of stopping at the first.")
    boolean skipInvalid;

    /** The records of {@code files}, as {@code --skip-invalid} says; each skipped line is reported to {@code err}. */
    RecordLoader.Loaded load(List<Path> files, PrintWriter err) {
        RecordLoader.Loaded loaded = RecordLoader.load(files, skipInvalid);
        loaded.problems().forEach(p -> err.println("skipped " + p));
        return loaded;
    }

    /** The records of {@code --data}. */
    List<LabelledRecord> records(PrintWriter err) {
        return load(data, err).records();
    }

    Catalog loadCatalog() {
        ConfigFiles files = new ConfigFiles();
        files.catalog = catalog;
        return files.loadCatalog();
    }

    TierMap tierMap(Catalog loaded) {
        return TierMap.load(tiers.orElseGet(() -> ConfigFiles.defaultFile("tiers.yaml")), loaded);
    }
}
