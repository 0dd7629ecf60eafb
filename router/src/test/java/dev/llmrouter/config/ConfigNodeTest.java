package dev.llmrouter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Typed reads of a config document: each wrong value is reported at its path and admission goes on. */
class ConfigNodeTest {
    private final Problems problems = new Problems();

    private ConfigNode node(String yaml) {
        return ConfigNode.root(Documents.parse(yaml, "doc"), problems);
    }

    @ParameterizedTest(name = "\"{0}\" is {1}")
    @CsvSource({
        "250ms,     PT0.25S",
        "30s,       PT30S",
        "5m,        PT5M",
        "1h,        PT1H",
        "0s,        PT0S",
        "PT30S,     PT30S",
        "pt1m30s,   PT1M30S",
        "30S,       PT30S",
        "7d,        PT168H",
        "' 2s ',    PT2S",
    })
    void durationsInShortAndIsoForm(String text, String iso) {
        assertEquals(Optional.of(Duration.parse(iso)), ConfigNode.parseDuration(text));
    }

    @ParameterizedTest(name = "\"{0}\" is not a duration")
    @ValueSource(strings = {"", "s", "ms", "30", "1.5s", "5w", "soon", "30 s", "P", "PT"})
    void textThatIsNotADuration(String text) {
        assertEquals(Optional.empty(), ConfigNode.parseDuration(text));
    }

    @Test
    void badDurationIsReportedAtItsPath() {
        ConfigNode root = node("limits: {wait: soon, ok: 2s}");
        ConfigNode limits = root.field("limits").orElseThrow();

        assertEquals(Optional.empty(), limits.duration("wait"));
        assertEquals(Optional.of(Duration.ofSeconds(2)), limits.duration("ok"));
        assertEquals(Optional.empty(), limits.duration("absent"));
        assertEquals(
                List.of("limits.wait: expected a duration such as 500ms, 30s, 5m or 1h, got \"soon\""),
                problems.list());
    }

    @Test
    void explicitNullCountsAsMissing() {
        ConfigNode root = node("id: ~\nname: null");

        assertEquals(Optional.empty(), root.requiredText("id"));
        assertEquals(Optional.empty(), root.text("name"));
        assertEquals(List.of("id: required"), problems.list());
    }

    @Test
    void numbersAreCheckedForTypeAndRange() {
        ConfigNode root = node("a: 0.5\nb: 2\nc: x\nd: 3\ne: 2.5\nf: 99999999999");

        assertEquals(OptionalDouble.of(0.5), root.number("a", 0, 1));
        assertEquals(OptionalDouble.empty(), root.number("b", 0, 1));
        assertEquals(OptionalDouble.empty(), root.number("c", 0, 1));
        assertEquals(OptionalInt.of(3), root.integer("d", 1, 9));
        assertEquals(OptionalInt.empty(), root.integer("e", 1, 9));
        assertEquals(OptionalInt.empty(), root.integer("f", 1, Integer.MAX_VALUE));
        assertEquals(
                List.of(
                        "b: must be between 0 and 1, got 2",
                        "c: expected a number, got \"x\"",
                        "e: expected a whole number, got 2.5",
                        "f: expected a whole number, got 99999999999"),
                problems.list());
    }

    @Test
    void booleansAreNotGuessedFromQuotedText() {
        ConfigNode root = node("a: true\nb: \"true\"\nc: 1");

        assertEquals(Optional.of(true), root.bool("a"));
        assertEquals(Optional.empty(), root.bool("b"));
        assertEquals(Optional.empty(), root.bool("c"));
        assertEquals(
                List.of("b: expected true or false, got \"true\"", "c: expected true or false, got 1"),
                problems.list());
    }

    @Test
    void aScalarIsNotAcceptedAsAList() {
        ConfigNode root = node("one: a\nmany: [a, 2, b]");

        assertEquals(List.of(), root.textList("one"));
        assertEquals(List.of("a", "b"), root.textList("many"));
        assertEquals(List.of("one: expected a list, got \"a\"", "many[1]: expected a string, got 2"), problems.list());
    }

    @Test
    void unknownFieldsAreReportedWithTheKnownOnesSorted() {
        ConfigNode root = node("b: 1\nzz: 2\na: 3\nyy: 4");

        root.allowOnly(Set.of("b", "a"));

        assertEquals(List.of("zz: unknown field (known: a, b)", "yy: unknown field (known: a, b)"), problems.list());
    }

    @Test
    void entriesKeepFileOrderAndChildPaths() {
        ConfigNode root = node("providers: {z: 1, a: 2}");

        Map<String, ConfigNode> entries = root.field("providers").orElseThrow().entries();

        assertEquals(List.of("z", "a"), List.copyOf(entries.keySet()));
        assertEquals("providers.a", entries.get("a").path());
    }

    @Test
    void listItemsCarryTheirIndexInThePath() {
        ConfigNode root = node("routes: [{name: a}, {name: b}]");

        List<ConfigNode> items = root.field("routes").orElseThrow().list("missing");
        assertEquals(List.of(), items);
        assertEquals("routes[1]", root.list("routes").get(1).path());
        assertEquals(
                "routes[1].name",
                root.list("routes").get(1).field("name").orElseThrow().path());
    }

    @Test
    void topLevelErrorsAreLabelled() {
        node("[1, 2]").expectObject();

        assertEquals(List.of("(top level): expected a mapping, got a list"), problems.list());
    }

    @Test
    void exceptionCountsErrorsInItsMessage() {
        problems.add("a", "wrong");

        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> problems.throwIfAny("doc.yaml"));

        assertEquals("doc.yaml refused with 1 error:\n  a: wrong", e.getMessage());
        assertEquals(List.of("a: wrong"), e.errors());
    }

    @Test
    void noProblemsNoException() {
        problems.throwIfAny("doc.yaml");

        assertTrue(problems.isEmpty());
    }

    @Test
    void emptyDocumentIsAnEmptyMapping() {
        assertTrue(Documents.parse("", "doc").isObject());
        assertTrue(Documents.parse("# only a comment\n", "doc").isObject());
    }

    @Test
    void sha256IsTheStandardDigest() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256.hex("abc"));
    }
}
