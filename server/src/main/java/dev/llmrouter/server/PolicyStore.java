package dev.llmrouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.request.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;

/**
 * The last policy accepted through the admin API, kept in one JSON file ({@code router.policy_store}) so a
 * restart does not lose it: {@code {"based_on", "accepted_at", "by", "document"}}. {@code based_on} is the
 * sha256 of the configured policy file ({@code router.policy}) when the change was made: once that file is
 * edited, it wins over the stored change, since the operator's edit is newer. Written whole or not at all
 * (a temporary file moved over the old one).
 */
final class PolicyStore {
    private static final System.Logger LOG = System.getLogger(PolicyStore.class.getName());

    private final Path file;
    private final Path configured;

    PolicyStore(Path file, Path configured) {
        this.file = file;
        this.configured = configured;
    }

    /** The stored policy document, when there is one and the configured file has not changed since. */
    Optional<JsonNode> stored() {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode root = Json.MAPPER.readTree(file.toFile());
            if (!root.path("document").isObject()) {
                LOG.log(System.Logger.Level.WARNING, file + " holds no policy document; ignoring it");
                return Optional.empty();
            }
            if (!root.path("based_on").asText().equals(configuredHash())) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        configured + " changed since the policy in " + file + " was accepted through the admin API;"
                                + " using " + configured + " (the stored change is kept until the next one)");
                return Optional.empty();
            }
            return Optional.of(root.path("document"));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read " + file + " (" + e.getMessage() + "); ignoring it");
            return Optional.empty();
        }
    }

    /** Keeps {@code document} as the accepted policy; throws when it cannot be written, so nothing changes. */
    void keep(JsonNode document, String by) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("based_on", configuredHash());
        root.put("accepted_at", Instant.now().toString());
        root.put("by", by);
        root.set("document", document);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".policy-", ".tmp");
            try {
                Files.writeString(temp, root.toPrettyString());
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot keep the policy in " + file + " (router.policy_store): " + e.getMessage(), e);
        }
    }

    private String configuredHash() {
        try {
            return Sha256.hex(Files.readAllBytes(configured));
        } catch (IOException e) {
            return "";
        }
    }
}
