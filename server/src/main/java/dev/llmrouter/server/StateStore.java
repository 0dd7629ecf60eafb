package dev.llmrouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.request.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the server keeps across restarts, in its state folder ({@code router.state_dir}):
 *
 * <ul>
 *   <li>{@code accepted-policy.json} and {@code accepted-classifier.json}: the last policy and classifier bundle
 *       accepted through the admin API, with {@code based_on}, the fingerprint of what the settings configured
 *       when the change was made. Once the configured file or bundle changes, it wins over the stored change,
 *       since the operator's edit is newer.
 *   <li>{@code history.jsonl}: one line each time a policy or classifier goes live (at start when it differs
 *       from the last one recorded, by hash, and for a classifier by id too; and at every accepted change): when, what (kind, hash, id), by whom, and
 *       where its copy is. A version served from its line until the next line of its kind.
 *   <li>{@code policies/<sha256>.json} and {@code bundles/<hash>/}: every policy document and classifier bundle
 *       that was ever live, as it was, so a trace (which names both by hash) can be decided again with them.
 * </ul>
 *
 * Files are written whole or not at all (a temporary file or folder moved into place).
 */
public final class StateStore {
    private static final System.Logger LOG = System.getLogger(StateStore.class.getName());

    static final String POLICY = "policy";
    static final String CLASSIFIER = "classifier";

    /** One line of the history: a version that went live. */
    public record Entry(
            Instant at, String kind, String hash, String id, String by, String source, Optional<String> copy) {}

    /** A canary's candidate versions are archived too (kinds {@code canary_policy}, {@code canary_classifier}). */
    static final String CANARY = "canary_";

    private final Path dir;

    /** The state folder {@code dir} (read by {@code ./llm-router replay}; written by the server). */
    public StateStore(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** The policy document accepted through the admin API, unless the configured one changed since. */
    Optional<JsonNode> acceptedPolicy(String configured) {
        return accepted("accepted-policy.json", configured).map(root -> root.path("document"));
    }

    /** The archived bundle folder accepted through the admin API, unless the configured one changed since. */
    Optional<Path> acceptedClassifier(String configured) {
        return accepted("accepted-classifier.json", configured)
                .map(root -> dir.resolve(root.path("copy").asText()))
                .filter(folder -> {
                    if (Files.isDirectory(folder)) {
                        return true;
                    }
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "the accepted classifier's copy " + folder + " is gone;" + " using the configured one");
                    return false;
                });
    }

    private Optional<JsonNode> accepted(String name, String configured) {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode root = Json.MAPPER.readTree(file.toFile());
            if (!root.path("based_on").asText().equals(configured)) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "the configured " + name.replace("accepted-", "").replace(".json", "") + " changed since the"
                                + " one in " + file + " was accepted through the admin API; using the configured one"
                                + " (the stored change is kept until the next one)");
                return Optional.empty();
            }
            return Optional.of(root);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read " + file + " (" + e.getMessage() + "); ignoring it");
            return Optional.empty();
        }
    }

    /**
     * Keeps {@code document} as the accepted policy, archives it and records it live; throws when it cannot be
     * written, so that the caller changes nothing.
     */
    void acceptPolicy(JsonNode document, Policy policy, String configured, String by) {
        String copy = archive(policy, document);
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("based_on", configured);
        root.put("accepted_at", Instant.now().toString());
        root.put("by", by);
        root.put("copy", copy);
        root.set("document", document);
        write(dir.resolve("accepted-policy.json"), root.toPrettyString());
        append(new Entry(Instant.now(), POLICY, policy.hash(), policyId(policy), by, "admin", Optional.of(copy)));
    }

    /** Archives the bundle in {@code folder}, keeps it as the accepted classifier and records it live. */
    void acceptClassifier(Path folder, ClassifierInfo info, String configured, String by) {
        String copy = archive(folder);
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("based_on", configured);
        root.put("accepted_at", Instant.now().toString());
        root.put("by", by);
        root.put("copy", copy);
        root.put("source", folder.toString());
        write(dir.resolve("accepted-classifier.json"), root.toPrettyString());
        append(new Entry(Instant.now(), CLASSIFIER, info.hash(), info.id(), by, folder.toString(), Optional.of(copy)));
    }

    /**
     * At start: records the policy and classifier in force when they differ from the last ones of their kind
     * in the history (a first start, or a configuration edited since), archiving each. A folder that cannot be
     * written is a warning here, not a failure: the router serves without its history rather than not at all.
     */
    void started(Policy policy, JsonNode document, String policySource, ClassifierInfo info, Optional<Path> bundle) {
        try {
            List<Entry> history = history();
            if (!last(history, POLICY).map(e -> e.hash().equals(policy.hash())).orElse(false)) {
                String copy = archive(policy, document);
                append(new Entry(
                        Instant.now(),
                        POLICY,
                        policy.hash(),
                        policyId(policy),
                        "startup",
                        policySource,
                        Optional.of(copy)));
            }
            if (!last(history, CLASSIFIER)
                    .map(e -> e.hash().equals(info.hash()) && e.id().equals(info.id()))
                    .orElse(false)) {
                Optional<String> copy = bundle.map(this::archive);
                append(new Entry(
                        Instant.now(),
                        CLASSIFIER,
                        info.hash(),
                        info.id(),
                        "startup",
                        bundle.map(Path::toString).orElse(info.id()),
                        copy));
            }
        } catch (UncheckedIOException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "cannot record the versions in force in " + dir + ": " + e.getMessage());
        }
    }

    /**
     * The archived copy of the version with {@code hash} (a policy document's file, or a classifier bundle's
     * folder), from any line of the history: what was live, and what a canary served.
     */
    public Optional<Path> copyOf(String hash) {
        return history().stream()
                .filter(e -> e.hash().equals(hash) && e.copy().isPresent())
                .map(e -> dir.resolve(e.copy().get()))
                .filter(Files::exists)
                .findFirst();
    }

    /**
     * Archives a canary's candidate (its policy and its bundle, when it has its own), so the traces it served
     * can be decided again; recorded as {@code canary_policy} and {@code canary_classifier} lines, which are not
     * versions that went live.
     */
    void canary(Policy policy, JsonNode document, ClassifierInfo info, Optional<Path> bundle, String by) {
        append(new Entry(
                Instant.now(),
                CANARY + POLICY,
                policy.hash(),
                policyId(policy),
                by,
                "canary",
                Optional.of(archive(policy, document))));
        bundle.ifPresent(b -> append(new Entry(
                Instant.now(),
                CANARY + CLASSIFIER,
                info.hash(),
                info.id(),
                by,
                b.toString(),
                Optional.of(archive(b)))));
    }

    /** Every line of the history, oldest first; a line that cannot be read is skipped with a warning. */
    public List<Entry> history() {
        Path file = dir.resolve("history.jsonl");
        List<Entry> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode n = Json.MAPPER.readTree(line);
                out.add(new Entry(
                        Instant.parse(n.path("at").asText()),
                        n.path("kind").asText(),
                        n.path("hash").asText(),
                        n.path("id").asText(),
                        n.path("by").asText(),
                        n.path("source").asText(),
                        n.hasNonNull("copy") ? Optional.of(n.path("copy").asText()) : Optional.empty()));
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, file + ": skipping a line it cannot read: " + e.getMessage());
            }
        }
        return out;
    }

    private static Optional<Entry> last(List<Entry> history, String kind) {
        Entry found = null;
        for (Entry e : history) {
            if (e.kind().equals(kind)) {
                found = e;
            }
        }
        return Optional.ofNullable(found);
    }

    private static String policyId(Policy policy) {
        return policy.id() + " v" + policy.version();
    }

    private void append(Entry entry) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("at", entry.at().toString());
        line.put("kind", entry.kind());
        line.put("hash", entry.hash());
        line.put("id", entry.id());
        line.put("by", entry.by());
        line.put("source", entry.source());
        entry.copy().ifPresent(c -> line.put("copy", c));
        try {
            Files.createDirectories(dir);
            Files.writeString(
                    dir.resolve("history.jsonl"),
                    line + "\n",
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot append to " + dir.resolve("history.jsonl") + ": " + e.getMessage(), e);
        }
    }

    /** The policy document's copy, by its hash; written once. */
    private String archive(Policy policy, JsonNode document) {
        String name = "policies/" + policy.hash().replace("sha256:", "") + ".json";
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            write(file, document.toPrettyString());
        }
        return name;
    }

    /**
     * The bundle's copy (every file of its folder, the gates' too), under the folder's fingerprint and with the
     * folder's own name (which the classifier's id is made of); written once.
     */
    private String archive(Path folder) {
        String name = "bundles/" + fingerprint(folder).substring(0, 16) + "/" + folder.getFileName();
        Path target = dir.resolve(name);
        if (Files.isDirectory(target)) {
            return name;
        }
        try {
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempDirectory(target.getParent(), ".bundle-");
            try {
                try (Stream<Path> files = Files.list(folder)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        Files.copy(f, temp.resolve(f.getFileName()));
                    }
                }
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException raced) {
                    // another change archived the same bundle first: the same files
                }
            } finally {
                deleteTree(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot copy the bundle " + folder + " into " + target + ": " + e.getMessage(), e);
        }
        return name;
    }

    private static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".state-", ".tmp");
            try {
                Files.writeString(temp, text);
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + " (router.state_dir): " + e.getMessage(), e);
        }
    }

    /** The fingerprint of a configured file or bundle folder: the sha256 of its bytes (a folder's files). */
    static String fingerprint(Path path) {
        try {
            if (Files.isRegularFile(path)) {
                return Sha256.hex(Files.readAllBytes(path));
            }
            if (Files.isDirectory(path)) {
                StringBuilder all = new StringBuilder();
                try (Stream<Path> files = Files.list(path)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        all.append(f.getFileName())
                                .append(':')
                                .append(Sha256.hex(Files.readAllBytes(f)))
                                .append('\n');
                    }
                }
                return Sha256.hex(all.toString());
            }
            return "";
        } catch (IOException e) {
            return "";
        }
    }
}
