package dev.llmrouter.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

/** Reads catalog and policy documents (YAML, of which JSON is a subset) and computes their identity. */
public final class Documents {
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private Documents() {}

    /** Parses a file; a missing file or a syntax error is an {@link InvalidConfigException} naming the file. */
    public static JsonNode read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException(file.toString(), List.of(file + ": no such file"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return parse(text, file.toString());
    }

    public static JsonNode parse(String text, String name) {
        try {
            JsonNode node = YAML.readTree(text);
            return node == null || node.isMissingNode() ? JsonNodeFactory.instance.objectNode() : node;
        } catch (JsonProcessingException e) {
            throw new InvalidConfigException(
                    name, List.of(name + ": not valid YAML" + where(e) + ": " + e.getOriginalMessage()));
        }
    }

    /** The line and column of a syntax error: SnakeYAML's problem mark where there is one (it points at the cause). */
    private static String where(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked && marked.getProblemMark() != null) {
                return " at line " + (marked.getProblemMark().getLine() + 1) + ", column "
                        + (marked.getProblemMark().getColumn() + 1);
            }
        }
        return e.getLocation() == null
                ? ""
                : " at line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr();
    }

    /**
     * The sha256 (hex) of the document's canonical form: keys sorted at every level, numbers written in
     * their shortest exact form, no whitespace. Reordering keys, reformatting, comments and YAML-versus-JSON
     * do not change it; changing any value does.
     */
    public static String canonicalHash(JsonNode document) {
        try {
            byte[] canonical = CANONICAL.writeValueAsBytes(canonicalize(document));
            return Sha256.hex(canonical);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot hash a parsed document", e);
        }
    }

    private static Object canonicalize(JsonNode node) {
        if (node.isObject()) {
            TreeMap<String, Object> sorted = new TreeMap<>();
            node.fields().forEachRemaining(e -> sorted.put(e.getKey(), canonicalize(e.getValue())));
            return sorted;
        }
        if (node.isArray()) {
            return node.valueStream().map(Documents::canonicalize).toList();
        }
        if (node.isNumber()) {
            BigDecimal exact = node.decimalValue().stripTrailingZeros();
            return exact.scale() <= 0 ? exact.toBigIntegerExact() : exact;
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isNull()) {
            return JsonNodeFactory.instance.nullNode();
        }
        return node.asText();
    }
}
