package dev.llmrouter.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A position in a parsed YAML or JSON document that knows its path. Every typed read reports a wrong type
 * or an impossible value to {@link Problems} under that path and returns empty, so admission goes on and
 * lists every error at once.
 */
public final class ConfigNode {
    private final JsonNode node;
    private final String path;
    private final Problems problems;

    private ConfigNode(JsonNode node, String path, Problems problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
    }

    public static ConfigNode root(JsonNode node, Problems problems) {
        return new ConfigNode(node, "", problems);
    }

    public String path() {
        return path;
    }

    public Problems problems() {
        return problems;
    }

    public JsonNode json() {
        return node;
    }

    /** Reports an error at this node's path. */
    public void error(String message) {
        problems.add(path, message);
    }

    /** True when this node is an object; reports an error otherwise. */
    public boolean expectObject() {
        if (!node.isObject()) {
            error("expected a mapping, got " + describe(node));
            return false;
        }
        return true;
    }

    /** Reports every field of this object that is not in {@code known}. */
    public void allowOnly(Set<String> known) {
        if (!node.isObject()) {
            return;
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                problems.add(child(name), "unknown field (known: " + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    public Optional<ConfigNode> field(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        return Optional.of(new ConfigNode(value, child(name), problems));
    }

    public Optional<ConfigNode> required(String name) {
        Optional<ConfigNode> value = field(name);
        if (value.isEmpty()) {
            problems.add(child(name), "required");
        }
        return value;
    }

    public Optional<String> text(String name) {
        return field(name).flatMap(ConfigNode::asText);
    }

    public Optional<String> requiredText(String name) {
        return required(name).flatMap(ConfigNode::asText);
    }

    public Optional<String> asText() {
        if (!node.isTextual()) {
            error("expected a string, got " + describe(node));
            return Optional.empty();
        }
        return Optional.of(node.asText());
    }

    public OptionalDouble number(String name, double min, double max) {
        return field(name).map(value -> value.asNumber(min, max)).orElse(OptionalDouble.empty());
    }

    /** This node as a number between {@code min} and {@code max}; anything else is a problem at its path. */
    public OptionalDouble asNumber(double min, double max) {
        if (!node.isNumber()) {
            error("expected a number, got " + describe(node));
            return OptionalDouble.empty();
        }
        double d = node.asDouble();
        if (d < min || d > max || Double.isNaN(d)) {
            error("must be between " + plain(min) + " and " + plain(max) + ", got " + node.asText());
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(d);
    }

    public OptionalInt integer(String name, int min, int max) {
        Optional<ConfigNode> value = field(name);
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        JsonNode n = value.get().node;
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            value.get().error("expected a whole number, got " + describe(n));
            return OptionalInt.empty();
        }
        int i = n.asInt();
        if (i < min || i > max) {
            value.get().error("must be between " + min + " and " + max + ", got " + i);
            return OptionalInt.empty();
        }
        return OptionalInt.of(i);
    }

    public Optional<Boolean> bool(String name) {
        Optional<ConfigNode> value = field(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (!value.get().node.isBoolean()) {
            value.get().error("expected true or false, got " + describe(value.get().node));
            return Optional.empty();
        }
        return Optional.of(value.get().node.asBoolean());
    }

    /** A duration written as {@code 250ms}, {@code 30s}, {@code 5m} or {@code 1h}, or an ISO-8601 {@code PT30S}. */
    public Optional<Duration> duration(String name) {
        return text(name).flatMap(text -> {
            Optional<Duration> parsed = parseDuration(text);
            if (parsed.isEmpty()) {
                problems.add(child(name), "expected a duration such as 500ms, 30s, 5m or 1h, got \"" + text + "\"");
            } else if (parsed.get().isNegative()) {
                problems.add(child(name), "must be a positive duration, got \"" + text + "\"");
                return Optional.empty();
            }
            return parsed;
        });
    }

    /** A list of nodes; a single scalar is not accepted as a list. */
    public List<ConfigNode> list(String name) {
        Optional<ConfigNode> value = field(name);
        if (value.isEmpty()) {
            return List.of();
        }
        JsonNode n = value.get().node;
        if (!n.isArray()) {
            value.get().error("expected a list, got " + describe(n));
            return List.of();
        }
        List<ConfigNode> items = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            items.add(new ConfigNode(n.get(i), value.get().path + "[" + i + "]", problems));
        }
        return items;
    }

    /** A list of strings, each mapped through {@code parse}; an item {@code parse} rejects is reported. */
    public <T> List<T> list(String name, Function<ConfigNode, Optional<T>> parse) {
        List<T> values = new ArrayList<>();
        for (ConfigNode item : list(name)) {
            parse.apply(item).ifPresent(values::add);
        }
        return values;
    }

    public List<String> textList(String name) {
        return list(name, ConfigNode::asText);
    }

    /** The entries of a mapping, in file order. */
    public Map<String, ConfigNode> entries() {
        Map<String, ConfigNode> entries = new LinkedHashMap<>();
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(
                            e -> entries.put(e.getKey(), new ConfigNode(e.getValue(), child(e.getKey()), problems)));
        }
        return entries;
    }

    private String child(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** Parses {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d} or an ISO-8601 {@code PT30S}. */
    public static Optional<Duration> parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt")) {
                return Optional.of(Duration.parse(text.trim()));
            }
            if (t.endsWith("ms")) {
                return Optional.of(Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))));
            }
            if (t.endsWith("us")) {
                return Optional.of(Duration.ofNanos(1000 * Long.parseLong(t.substring(0, t.length() - 2))));
            }
            long amount = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Optional.of(Duration.ofSeconds(amount));
                case 'm' -> Optional.of(Duration.ofMinutes(amount));
                case 'h' -> Optional.of(Duration.ofHours(amount));
                case 'd' -> Optional.of(Duration.ofDays(amount));
                default -> Optional.empty();
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }

    static String describe(JsonNode n) {
        if (n.isTextual()) {
            return "\"" + n.asText() + "\"";
        }
        if (n.isArray()) {
            return "a list";
        }
        if (n.isObject()) {
            return "a mapping";
        }
        return n.toString();
    }

    /** A number as a person writes it: no trailing .0. */
    public static String plain(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
