package dev.llmrouter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.request.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * How a bundle was trained, kept beside its models as {@code training.json} by {@code train} and {@code retrain}
 * so that {@code retrain} can start from it: the seed, the held-out share, the training options (as the
 * command-line options that set them), and every input file by role with its size, sha256 and, for logged
 * traffic, the weight it was given. A path is kept relative to the bundle folder when the file is on the same
 * file system tree, so a repository's bundle and the data beside the repository move together.
 *
 * @param base the folder of the bundle this one was retrained from, as given
 */
record TrainingRecipe(long seed, double testFraction, List<String> options, List<Input> inputs, Optional<String> base) {
    static final String FILE = "training.json";

    private static final ObjectMapper JSON = Json.MAPPER
            .copy()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** What an input file is for. */
    enum Role {
        /** Labelled outcomes: teach every model. */
        @com.fasterxml.jackson.annotation.JsonProperty("data")
        DATA,
        /** Intent labels only. */
        @com.fasterxml.jackson.annotation.JsonProperty("intent")
        INTENT,
        /** Requests every model is assumed to serve well. */
        @com.fasterxml.jackson.annotation.JsonProperty("easy")
        EASY,
        /** Questions left out of training. */
        @com.fasterxml.jackson.annotation.JsonProperty("exclude")
        EXCLUDE,
        /** The router's trace log: outcomes of the team's own traffic. */
        @com.fasterxml.jackson.annotation.JsonProperty("traces")
        TRACES
    }

    /** One input file as it was when trained on. */
    record Input(Role role, String path, long bytes, String sha256, double weight) {
        /** The file named by this input, relative to {@code bundle} when it is a relative path. */
        Path location(Path bundle) {
            Path p = Path.of(path);
            return p.isAbsolute() ? p : bundle.resolve(p).normalize();
        }
    }

    TrainingRecipe {
        options = List.copyOf(options);
        inputs = List.copyOf(inputs);
    }

    /** The input of {@code file} for a bundle written to {@code bundle}. */
    static Input input(Role role, Path file, Path bundle, double weight) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return new Input(role, pathFrom(bundle, file), bytes.length, Sha256.hex(bytes), weight);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** {@code file} relative to {@code bundle}, or absolute when it is on another root. */
    private static String pathFrom(Path bundle, Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        Path folder = bundle.toAbsolutePath().normalize();
        return absolute.getRoot().equals(folder.getRoot())
                ? folder.relativize(absolute).toString()
                : absolute.toString();
    }

    /** This recipe for the bundle moved from {@code from} to {@code to}: its relative paths rewritten. */
    TrainingRecipe movedTo(Path from, Path to) {
        List<Input> moved = inputs.stream()
                .map(i -> Path.of(i.path()).isAbsolute()
                        ? i
                        : new Input(i.role(), pathFrom(to, i.location(from)), i.bytes(), i.sha256(), i.weight()))
                .toList();
        return new TrainingRecipe(seed, testFraction, options, moved, base);
    }

    /** The files of {@code role}. */
    List<Input> of(Role role) {
        return inputs.stream().filter(i -> i.role() == role).toList();
    }

    void write(Path bundle) {
        try {
            Files.writeString(bundle.resolve(FILE), JSON.writeValueAsString(this) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + bundle.resolve(FILE), e);
        }
    }

    static TrainingRecipe read(Path bundle) {
        Path file = bundle.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(bundle + " has no " + FILE + ", so what it was trained on is unknown:"
                    + " retrain starts from a bundle made by train or retrain (rebuild it with ./llm-router train,"
                    + " or models/build.sh for the shipped one)");
        }
        try {
            return JSON.readValue(file.toFile(), TrainingRecipe.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not a training recipe: " + e.getMessage(), e);
        }
    }

    /**
     * Where each input of this recipe is now, checked against its size and sha256: in {@code dataDir} by file
     * name when given, else where the recipe says (relative to {@code bundle}). A trace log may have grown since
     * (the router appends to it): it is accepted when its first bytes are the ones trained on. Every file that
     * is missing or changed is named in one error.
     */
    List<Path> locate(Role role, Path bundle, Optional<Path> dataDir) {
        List<Path> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Input input : of(role)) {
            Path file = dataDir.map(d -> d.resolve(Path.of(input.path()).getFileName()))
                    .orElseGet(() -> input.location(bundle));
            if (!Files.isRegularFile(file)) {
                problems.add(input.path() + ": not found at " + file);
                continue;
            }
            try {
                long size = Files.size(file);
                boolean grown = role == Role.TRACES && size > input.bytes();
                if ((size != input.bytes() && !grown)
                        || !sha256(file, input.bytes()).equals(input.sha256())) {
                    problems.add(input.path() + ": " + file + " is not the file trained on (sha256 " + input.sha256()
                            + ", " + input.bytes() + " bytes)");
                    continue;
                }
            } catch (IOException e) {
                problems.add(input.path() + ": cannot read " + file + " (" + e.getMessage() + ")");
                continue;
            }
            found.add(file);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the base bundle " + bundle + " was trained on files that are not"
                    + " here as they were: " + String.join("; ", problems)
                    + ". Pass --base-data DIR with the folder that holds them.");
        }
        return found;
    }

    /** The sha256 of the first {@code length} bytes of {@code file}. */
    private static String sha256(Path file, long length) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 16];
        long left = length;
        try (InputStream in = Files.newInputStream(file)) {
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    break;
                }
                digest.update(buffer, 0, n);
                left -= n;
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
