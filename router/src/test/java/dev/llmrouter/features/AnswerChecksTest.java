package dev.llmrouter.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnswerChecksTest {
    private static final String DUCKS = "Janet's ducks lay 16 eggs per day. She eats 3 and bakes with 4. She sells the"
            + " rest for $2 each. How much does she make?";

    private static float check(String name, String prompt, String answer) {
        return AnswerChecks.of(prompt, answer)[AnswerChecks.NAMES.indexOf(name)];
    }

    @Test
    void namesSortInColumnOrderAndBeforeTheAnswersFeatures() {
        List<String> sorted = new ArrayList<>(AnswerChecks.NAMES);
        sorted.sort(null);
        assertEquals(sorted, AnswerChecks.NAMES);
        FeatureSpec spec = FeatureSpec.DEFAULT;
        for (int i = 1; i < spec.gateWidth(); i += 997) {
            assertTrue(spec.gateName(i - 1).compareTo(spec.gateName(i)) < 0, spec.gateName(i));
        }
        int checks = AnswerChecks.NAMES.size();
        assertTrue(AnswerChecks.NAMES.getLast().compareTo(spec.gateName(checks)) < 0);
        assertTrue(spec.gateDense(0) && spec.gateDense(checks) && !spec.gateDense(checks + spec.bucketBase()));
    }

    @Test
    void rightArithmeticIsCheckedAndPasses() {
        String answer = "She has 16 - 3 = 13 eggs, then 13 - 4 = 9 left.\nShe makes 9 * $2 = $<<9*2=18>>18.\n#### 18";
        // "9 * $2 = $<<" shows no result; the annotation inside it is checked instead
        assertEquals(new AnswerChecks.Arithmetic(3, 0), AnswerChecks.arithmetic(answer));
        assertEquals(1, check("a_final_marked", DUCKS, answer));
        assertEquals(0, check("a_final_not_whole", DUCKS, answer));
        assertEquals(1, check("a_ends_with_number", DUCKS, answer));
        assertEquals(0, check("a_prompt_numbers_unused", DUCKS, answer));
        assertEquals(0, check("a_arith_wrong_any", DUCKS, answer));
    }

    @Test
    void wrongArithmeticIsFound() {
        String answer = "16 - 3 = 12 eggs, and 12 * 2 = 24, so she makes $24.";
        assertEquals(new AnswerChecks.Arithmetic(2, 1), AnswerChecks.arithmetic(answer));
        assertEquals(1, check("a_arith_wrong_any", DUCKS, answer));
        assertEquals(0, check("a_final_marked", DUCKS, answer));
        assertEquals(0.25f, check("a_prompt_numbers_unused", DUCKS, answer), 1e-6);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "80,000 + 50,000 = 130,000 dollars|1|0",
                "150% * 50,000 = $75,000.|1|0",
                "(2 + 3) * 4 = 20|1|0",
                "2 + 1/2 = 5/2 = 2.5 bolts|2|0",
                "10 / 3 = 3.33 each|1|0",
                "10 / 3 = 3.5 each|1|1",
                "7 * 8 = 57|1|1",
                "It costs -5 + 12 = 7.|1|0",
                "x = 5, the total = 12|0|0",
                "pages 3 - 4 = the preface|0|0",
                "a, 3 + 4 = 7|1|0"
            })
    void equationsInProse(String text, int checked, int wrong) {
        assertEquals(new AnswerChecks.Arithmetic(checked, wrong), AnswerChecks.arithmetic(text));
    }

    @Test
    void expressionsReadOnlyArithmetic() {
        assertEquals(14.0, AnswerChecks.Expression.value(" 2 + 3 * 4 "));
        assertEquals(-1.0, AnswerChecks.Expression.value("-(3 - 2)"));
        assertEquals(0.5, AnswerChecks.Expression.value("50%"));
        assertNull(AnswerChecks.Expression.value("2 +"));
        assertNull(AnswerChecks.Expression.value("(2 + 3"));
        assertNull(AnswerChecks.Expression.value(""));
    }

    @Test
    void aFractionalOrCopiedFinalAnswerIsFlagged() {
        assertEquals(1, check("a_final_not_whole", DUCKS, "The answer is 4.5"));
        assertEquals(1, check("a_final_in_prompt", DUCKS, "#### 16"));
        assertEquals(0, check("a_final_in_prompt", DUCKS, "#### 18"));
        assertEquals(0, check("a_ends_with_number", DUCKS, "She sells 9 eggs at the"));
        assertTrue(check("a_hedges", DUCKS, "However, assuming she rounds, it is approximately 18") > 0.9);
    }

    @Test
    void textWithoutNumbersGivesNoChecks() {
        float[] checks = AnswerChecks.of("Write a haiku about rain", "Soft rain on the roof");
        for (int i = 0; i < checks.length; i++) {
            String name = AnswerChecks.NAMES.get(i);
            if (!name.endsWith("length")) {
                assertEquals(0, checks[i], name);
            }
        }
    }
}
