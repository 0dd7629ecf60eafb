package dev.llmrouter.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written scanners give exactly what the regular expressions of the spec say. */
class FeatureExtractorTest {
    private static final String UNSPACED =
            "\\p{IsHan}\\p{IsHiragana}\\p{IsKatakana}\\p{IsThai}\\p{IsLao}\\p{IsKhmer}\\p{IsMyanmar}\\p{IsTibetan}";
    /** A letter or number of a script written without spaces alone, else a run of the others. */
    private static final Pattern TOKEN =
            Pattern.compile("[[\\p{L}\\p{N}]&&[" + UNSPACED + "]]|[[\\p{L}\\p{N}]&&[^" + UNSPACED + "]]+");

    private static final Pattern MATH = Pattern.compile("[=+*/^<>]|\\\\frac|\\\\sqrt|\\$");
    private static final Pattern OPTION = Pattern.compile("(?m)^\\s*\\(?[A-Ja-j][.)]\\s");

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "   ",
                "What is the capital of France?",
                "  leading and trailing  ",
                "x² + ½ = Ⅻ and 3.14",
                "naïve café — déjà vu; Straße",
                "emoji 😀 between 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 letters",
                "$\\frac{a}{b} + \\sqrt{2} = x^2$, a<b>c \\fra \\sqr",
                "code: for (int i=0;i<n;i++) { a[i]*=2; }",
                "中文分词 テスト 한국어",
                "用C++写一个java程序，计算〇到十 เขียนกลอน スーパー",
                "A. one\nB. two\n(C) three",
                "Pick one:\n\n  a) red\r\n  b) blue\r\n\tc. green\n(d) x\n(e)y\nK. no\n",
                "A. B. C. on one line\nD.\nE)\n",
                "\r\nA. after crlf\rB. after cr\u2028C. after ls\u0085D. after nel",
                "x\n\n\nA.\n",
                "```java\nint x;\n```\ntext ``` more ````"
            })
    void tokensAndCountsMatchTheSpecsExpressions(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        String[] expected = TOKEN.matcher(lower).results().map(r -> r.group()).toArray(String[]::new);
        assertArrayEquals(expected, FeatureExtractor.tokens(lower));
        FeatureExtractor extractor = new FeatureExtractor(FeatureSpec.DEFAULT);
        float squashed = (float)
                Math.max(0, Math.min(1, MATH.matcher(text).results().count() * 10.0 / Math.max(1, text.length())));
        SparseVector v = extractor.extract(text, 1);
        int column = FeatureSpec.COUNTS.indexOf("c_math");
        float actual = 0;
        for (int i = 0; i < v.size(); i++) {
            if (v.indices()[i] == column) {
                actual = v.values()[i];
            }
        }
        assertEquals(squashed, actual, 0f);
        float options =
                (float) Math.max(0, Math.min(1, OPTION.matcher(text).results().count() / 10.0));
        assertEquals(options, count(v, "c_options"), 0f, "options");
        int fences = (text.length() - text.replace("```", "").length()) / 6;
        assertEquals((float) Math.max(0, Math.min(1, fences / 3.0)), count(v, "c_code_blocks"), 0f, "code blocks");
    }

    @Test
    void textWithoutSpacesGivesOneTokenACharacter() {
        assertArrayEquals(
                new String[] {"写", "一", "个", "java", "程", "序", "ok"}, FeatureExtractor.tokens("写一个java程序。ok"));
        FeatureExtractor extractor = new FeatureExtractor(FeatureSpec.DEFAULT);
        int base = FeatureSpec.DEFAULT.bucketBase();
        int[] a = buckets(extractor.extract("生成一个java程序，计算方法", 1), base);
        int[] b = buckets(extractor.extract("用C++写程序", 1), base);
        assertTrue(
                Arrays.stream(a).anyMatch(x -> Arrays.stream(b).anyMatch(y -> y == x)),
                "two prompts asking for a 程序 share its features");
    }

    @Test
    void aLongPromptsMiddleIsNotReadButItsLengthIsCounted() {
        String head = "Summarise the report below for the board.\n" + "Revenue grew 12% in Q3. ".repeat(400);
        String tail = "\nNotes: the board asked about churn, pricing and hiring. ".repeat(60) + "Which risks first?";
        String middleA = "alpha beta gamma 1+1=2 ".repeat(4_000);
        String middleB = "delta epsilon zeta omega ".repeat(4_000);
        FeatureExtractor extractor = new FeatureExtractor(FeatureSpec.DEFAULT);
        SparseVector a = extractor.extract(head + middleA + tail, 1);
        SparseVector b = extractor.extract(head + middleB + tail, 1);
        int base = FeatureSpec.DEFAULT.bucketBase();
        assertArrayEquals(buckets(a, base), buckets(b, base), "the hashed n-grams read the head and tail only");
        SparseVector shorter = extractor.extract(head + tail, 1);
        assertTrue(count(a, "c_chars") > count(shorter, "c_chars"), "the length counts the whole text");
        assertTrue(count(a, "c_words") > count(shorter, "c_words"), "the word count is scaled to the whole text");
    }

    private static int[] buckets(SparseVector v, int base) {
        return Arrays.stream(v.indices()).filter(i -> i >= base).toArray();
    }

    private static float count(SparseVector v, String name) {
        int column = FeatureSpec.COUNTS.indexOf(name);
        for (int i = 0; i < v.size(); i++) {
            if (v.indices()[i] == column) {
                return v.values()[i];
            }
        }
        return 0;
    }
}
