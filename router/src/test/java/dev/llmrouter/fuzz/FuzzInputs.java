package dev.llmrouter.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Inputs for the parsers' fuzz properties: JSON trees whose keys come mostly from the vocabulary the parser
 * knows (so the generator reaches past the first check), with values of every type and awkward sizes, and
 * their text mutated as a broken client or upstream would send it: cut short, bytes flipped, tokens inserted.
 */
public final class FuzzInputs {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> ODD_STRINGS = List.of(
            "", " ", "\u0000", "\uD83D\uDE00", "\u202E", "null", "true", "-1", "1e999", "0x10", "NaN", "🙂", "\n\r\t");
    private static final List<String> TOKENS =
            List.of("{", "}", "[", "]", ",", ":", "\"", "\\", "\\u00", "null", "1e99999", "-", "\u0000", "\"\":");

    private FuzzInputs() {}

    /** A JSON tree up to {@code depth} deep whose object keys are drawn mostly from {@code vocabulary}. */
    public static Arbitrary<JsonNode> tree(List<String> vocabulary, int depth) {
        return Arbitraries.longs().map(seed -> tree(new Random(seed), vocabulary, depth));
    }

    /** The text of such a tree, often mutated. */
    public static Arbitrary<String> text(List<String> vocabulary, int depth) {
        return Arbitraries.longs().map(seed -> {
            Random random = new Random(seed);
            String json = tree(random, vocabulary, depth).toString();
            return random.nextInt(3) == 0 ? json : mutate(random, json);
        });
    }

    /** An object whose fields are drawn from {@code vocabulary}, as a document or request body is. */
    public static ObjectNode object(Random random, List<String> vocabulary, int depth) {
        ObjectNode object = NODES.objectNode();
        int fields = random.nextInt(8);
        for (int i = 0; i < fields; i++) {
            object.set(key(random, vocabulary), value(random, vocabulary, depth - 1));
        }
        return object;
    }

    static JsonNode tree(Random random, List<String> vocabulary, int depth) {
        return random.nextInt(10) == 0 ? value(random, vocabulary, depth) : object(random, vocabulary, depth);
    }

    static String key(Random random, List<String> vocabulary) {
        int pick = random.nextInt(10);
        if (pick < 8 && !vocabulary.isEmpty()) {
            return vocabulary.get(random.nextInt(vocabulary.size()));
        }
        return pick == 8 ? ODD_STRINGS.get(random.nextInt(ODD_STRINGS.size())) : randomText(random, 12);
    }

    static JsonNode value(Random random, List<String> vocabulary, int depth) {
        int kind = random.nextInt(depth > 0 ? 12 : 9);
        return switch (kind) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(random.nextInt(2001) - 1000);
            case 3 -> NODES.numberNode(random.nextBoolean() ? random.nextDouble() * 1e6 : -random.nextDouble());
            case 4 -> NODES.numberNode(new BigInteger(60 + random.nextInt(200), random));
            case 5 ->
                NODES.numberNode(
                        BigDecimal.valueOf(random.nextGaussian()).scaleByPowerOfTen(random.nextInt(800) - 400));
            case 6 -> NODES.textNode(vocabulary.isEmpty() ? "x" : vocabulary.get(random.nextInt(vocabulary.size())));
            case 7 -> NODES.textNode(ODD_STRINGS.get(random.nextInt(ODD_STRINGS.size())));
            case 8 -> NODES.textNode(randomText(random, random.nextInt(5) == 0 ? 5000 : 40));
            case 9, 10 -> object(random, vocabulary, depth);
            default -> {
                ArrayNode array = NODES.arrayNode();
                int items = random.nextInt(5);
                for (int i = 0; i < items; i++) {
                    array.add(value(random, vocabulary, depth - 1));
                }
                yield array;
            }
        };
    }

    static String randomText(Random random, int maxLength) {
        int length = random.nextInt(maxLength + 1);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(random.nextInt(8) == 0 ? (char) random.nextInt(0x3000) : (char) (' ' + random.nextInt(95)));
        }
        return out.toString();
    }

    /** One to three mutations of the text: a cut, a flipped byte, an inserted token, a duplicated slice. */
    public static String mutate(Random random, String text) {
        String out = text;
        int rounds = 1 + random.nextInt(3);
        for (int r = 0; r < rounds && !out.isEmpty(); r++) {
            int at = random.nextInt(out.length());
            out = switch (random.nextInt(4)) {
                case 0 -> out.substring(0, at);
                case 1 -> out.substring(0, at) + (char) random.nextInt(256) + out.substring(at + 1);
                case 2 -> out.substring(0, at) + TOKENS.get(random.nextInt(TOKENS.size())) + out.substring(at);
                default ->
                    out.substring(0, at) + out.substring(at, Math.min(out.length(), at + 20)) + out.substring(at);
            };
        }
        return out;
    }

    /** Text as bytes, sometimes with invalid UTF-8 in it. */
    public static byte[] bytes(Random random, String text) {
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        if (raw.length > 0 && random.nextInt(5) == 0) {
            raw[random.nextInt(raw.length)] = (byte) (0x80 | random.nextInt(0x80));
        }
        return raw;
    }
}
