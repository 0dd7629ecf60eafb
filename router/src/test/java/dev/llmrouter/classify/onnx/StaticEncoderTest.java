package dev.llmrouter.classify.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.llmrouter.features.FeatureSpec;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The static encoder: its tokenizer against the native one, its table's cache, and what its embeddings say. */
class StaticEncoderTest {
    private static final String NAME = FeatureSpec.Encoder.MINILM_STATIC.name();

    static WordPieceTokenizer tokenizer() throws Exception {
        try (InputStream json = SentenceEncoder.resource(NAME + "-tokenizer.json")) {
            return WordPieceTokenizer.read(json, NAME);
        }
    }

    static long[] pieces(WordPieceTokenizer tokenizer, String text) {
        List<Long> ids = new ArrayList<>();
        tokenizer.pieces(text, Integer.MAX_VALUE, id -> ids.add((long) id));
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    /** Mixed scripts, accents, punctuation, code, control characters and random strings of all of them. */
    static List<String> texts() {
        List<String> texts = new ArrayList<>(List.of(
                "",
                "   ",
                "Fix this bug: TypeError: undefined is not a function in my React component",
                "Translate 'good morning' into French: « Bonjour », café, naïve, Ångström, ÉCOLE",
                "Solve for x: 3x + 7 = 22; then ∫x²dx = x³/3 + C (α, β, γ ≥ 0)",
                "写一个Python程序，计算斐波那契数列。日本語のテキストも、カタカナもある。",
                "ภาษาไทยไม่มีช่องว่าง and Русский текст, Ελληνικά, עברית, العربية",
                "emoji 🙂👍🏽 and a zero\u0000width\u200bjoiner, tab\tnew\nline\r\u2028sep\u00a0nbsp",
                "supercalifragilisticexpialidocious antidisestablishmentarianism " + "x".repeat(150),
                "def f(a,b):\n    return a**b  # `code` {braces} [brackets] <tags> ~tilde~ |pipe| \\back",
                "İstanbul ǅemal ﬁnance ｆｕｌｌｗｉｄｔｈ Ⅻ ½ ²"));
        Random random = new Random(7);
        String pool = "abcXYZ éüñ 0129 .,;:!?'\"()-_ 漢字かな ไทย Жж 🙂\t\n";
        int[] points = pool.codePoints().toArray();
        for (int i = 0; i < 200; i++) {
            StringBuilder text = new StringBuilder();
            int length = 1 + random.nextInt(60);
            for (int k = 0; k < length; k++) {
                text.appendCodePoint(points[random.nextInt(points.length)]);
            }
            texts.add(text.toString());
        }
        return texts;
    }

    @Test
    void theJavaTokenizerGivesTheNativeTokenizersPieces() throws Exception {
        WordPieceTokenizer tokenizer = tokenizer();
        assertEquals(30522, tokenizer.size());
        try (InputStream json = SentenceEncoder.resource(NAME + "-tokenizer.json")) {
            HuggingFaceTokenizer reference = HuggingFaceTokenizer.newInstance(
                    json, Map.of("maxLength", "100000", "truncation", "false", "padding", "false"));
            for (String text : texts()) {
                long[] expected = reference.encode(text).getIds();
                long[] actual = pieces(tokenizer, text);
                assertArrayEquals(
                        Arrays.copyOfRange(expected, 1, expected.length - 1), actual, () -> "pieces of '" + text + "'");
            }
        }
    }

    @Test
    void aTokenizerOfAnotherKindIsRefused() {
        String cased = "{\"model\":{\"type\":\"BPE\",\"vocab\":{}},\"normalizer\":{\"type\":\"NFC\"}}";
        Exception e = assertThrows(
                java.io.IOException.class,
                () -> WordPieceTokenizer.read(new java.io.ByteArrayInputStream(cased.getBytes()), "other.json"));
        assertTrue(e.getMessage().contains("other.json is not an uncased BERT WordPiece tokenizer"), e.getMessage());
    }

    @Test
    void aTableIsReadAsWrittenAndABrokenOneIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("table.bin");
        StaticEncoder.Table table = StaticEncoder.Table.quantise(new float[] {1f, -2.54f, 0.5f, 0f, 0f, 0f}, 2);
        table.write(file);
        StaticEncoder.Table read = StaticEncoder.Table.read(Files.newInputStream(file), "table.bin");
        assertEquals(2, read.pieces());
        assertEquals(3, read.dimensions());
        assertEquals(-2.54f, read.value(0, 1), 1e-6, "the largest value of a row is exact");
        assertEquals(1f, read.value(0, 0), 2.54f / 127 / 2, "the others within half a step");
        assertEquals(0f, read.value(1, 2), "a row of zeros stays zeros");
        byte[] bytes = Files.readAllBytes(file);
        Exception cut = assertThrows(
                java.io.IOException.class,
                () -> StaticEncoder.Table.read(
                        new java.io.ByteArrayInputStream(Arrays.copyOf(bytes, bytes.length - 1)), "table.bin"));
        assertTrue(cut.getMessage().contains("table.bin is cut short"), cut.getMessage());
        bytes[0] = 0;
        Exception other = assertThrows(
                java.io.IOException.class,
                () -> StaticEncoder.Table.read(new java.io.ByteArrayInputStream(bytes), "table.bin"));
        assertTrue(other.getMessage().contains("not a static encoder's table"), other.getMessage());
    }

    /** The shipped vocabulary is the transformer tokenizer's: regenerate it with models/static-table.sh if not. */
    @Test
    void theShippedVocabularyIsTheTransformersAndABrokenOneIsRefused(@TempDir Path dir) throws Exception {
        FeatureSpec.Encoder spec = FeatureSpec.Encoder.MINILM_STATIC;
        Path written = dir.resolve("vocab.txt");
        tokenizer().writeVocabulary(written);
        byte[] shipped;
        try (InputStream in = SentenceEncoder.resource(StaticEncoder.vocabularyName(spec))) {
            shipped = in.readAllBytes();
        }
        assertArrayEquals(Files.readAllBytes(written), shipped, "run models/static-table.sh");
        WordPieceTokenizer read =
                WordPieceTokenizer.readVocabulary(new java.io.ByteArrayInputStream(shipped), "vocab.txt");
        WordPieceTokenizer json = tokenizer();
        for (String text : texts()) {
            assertArrayEquals(pieces(json, text), pieces(read, text), text);
        }
        for (String broken : List.of("[PAD]\nhello\n", "[UNK]\nhello", "[UNK]\n\nhello\n")) {
            Exception e = assertThrows(
                    java.io.IOException.class,
                    () -> WordPieceTokenizer.readVocabulary(
                            new java.io.ByteArrayInputStream(broken.getBytes()), "vocab.txt"));
            assertTrue(e.getMessage().startsWith("vocab.txt"), e.getMessage());
        }
    }

    /** The shipped table is what the transformer gives: regenerate it with models/static-table.sh if not. */
    @Test
    void theShippedTableIsTheTransformersDistilled() throws Exception {
        FeatureSpec.Encoder spec = FeatureSpec.Encoder.MINILM_STATIC;
        StaticEncoder.Table shipped;
        try (InputStream in = SentenceEncoder.resource(StaticEncoder.tableName(spec))) {
            shipped = StaticEncoder.Table.read(in, StaticEncoder.tableName(spec));
        }
        StaticEncoder.Table distilled = StaticEncoder.distil(spec);
        assertEquals(distilled.pieces(), shipped.pieces());
        assertEquals(spec.dimensions(), shipped.dimensions());
        double worst = 1;
        for (int id = 0; id < shipped.pieces(); id++) {
            double dot = 0;
            double a = 0;
            double b = 0;
            for (int k = 0; k < spec.dimensions(); k++) {
                dot += shipped.value(id, k) * distilled.value(id, k);
                a += shipped.value(id, k) * shipped.value(id, k);
                b += distilled.value(id, k) * distilled.value(id, k);
            }
            worst = Math.min(worst, a == 0 && b == 0 ? 1 : dot / Math.sqrt(a * b));
        }
        assertTrue(
                worst > 0.999,
                "a piece's shipped vector is off the distilled one (cosine " + worst + "): run models/static-table.sh");
    }

    @Test
    void embeddingsAreUnitLengthAndCloserForRelatedPrompts() {
        StaticEncoder encoder = StaticEncoder.shared(FeatureSpec.Encoder.MINILM_STATIC);
        float[] card = encoder.encode("How do I reset the PIN of my bank card?");
        float[] pin = encoder.encode("I forgot my debit card PIN, what can I do?");
        float[] primes = encoder.encode("Prove that there are infinitely many primes.");
        float[] bug = encoder.encode("Fix this TypeError in my JavaScript function");
        float[] crash = encoder.encode("My Python script crashes with an exception");
        assertEquals(256, card.length);
        assertEquals(1.0, SentenceEncoderTest.cosine(card, card), 1e-4);
        String cosines = "card-pin " + SentenceEncoderTest.cosine(card, pin) + ", card-primes "
                + SentenceEncoderTest.cosine(card, primes) + ", bug-crash " + SentenceEncoderTest.cosine(bug, crash)
                + ", bug-card " + SentenceEncoderTest.cosine(bug, card);
        assertTrue(SentenceEncoderTest.cosine(card, pin) > SentenceEncoderTest.cosine(card, primes) + 0.1, cosines);
        assertTrue(SentenceEncoderTest.cosine(bug, crash) > SentenceEncoderTest.cosine(bug, card) + 0.1, cosines);
        assertEquals(0.0, SentenceEncoderTest.cosine(encoder.encode(""), encoder.encode("")), "nothing to read: zeros");
        assertArrayEquals(encoder.encode("Prove that there are infinitely many primes."), primes, "deterministic");
    }

    @Test
    void onlyTheFirstMaxTokensPiecesAreRead() throws Exception {
        StaticEncoder encoder = StaticEncoder.shared(FeatureSpec.Encoder.MINILM_STATIC);
        int max = FeatureSpec.Encoder.MINILM_STATIC.maxTokens();
        String head = "the cat sat on a mat . ".repeat(max / 4);
        WordPieceTokenizer tokenizer = tokenizer();
        assertTrue(pieces(tokenizer, head).length > max, "the head alone fills the window");
        // what follows the first maxTokens pieces changes nothing; what comes within them does
        float[] read = encoder.encode(head);
        assertArrayEquals(read, encoder.encode(head + "Prove that there are infinitely many primes."));
        assertTrue(
                SentenceEncoderTest.cosine(read, encoder.encode("Prove that primes are infinite. " + head)) < 0.9999);
        java.util.List<Long> first = new java.util.ArrayList<>();
        tokenizer.pieces(head + " more words", max, id -> first.add((long) id));
        assertTrue(first.size() >= max && first.size() < max + 8, "stops after the word that reaches the limit");
        assertArrayEquals(
                java.util.Arrays.copyOf(pieces(tokenizer, head), max),
                first.subList(0, max).stream().mapToLong(Long::longValue).toArray());
    }
}
