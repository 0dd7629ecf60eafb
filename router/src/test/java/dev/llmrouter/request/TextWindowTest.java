package dev.llmrouter.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TextWindowTest {
    @Test
    void aTextWithinTheBudgetIsReadWhole() {
        String text = "x".repeat(TextWindow.BUDGET);
        assertSame(text, TextWindow.of(text));
    }

    @Test
    void aLongerTextIsReadAsItsHeadAndTail() {
        String text = "h".repeat(TextWindow.HEAD) + "m".repeat(50_000) + "t".repeat(TextWindow.TAIL);
        String window = TextWindow.of(text);
        assertEquals(TextWindow.BUDGET, window.length());
        assertEquals("h".repeat(TextWindow.HEAD) + "\n" + "t".repeat(TextWindow.TAIL), window);
    }

    @Test
    void aSurrogatePairIsNeverCutInHalf() {
        String pair = "😀";
        String text =
                "a".repeat(TextWindow.HEAD - 1) + pair + "b".repeat(20_000) + pair + "c".repeat(TextWindow.TAIL - 1);
        String window = TextWindow.of(text);
        for (int i = 0; i < window.length(); i++) {
            char c = window.charAt(i);
            if (Character.isHighSurrogate(c)) {
                assertTrue(i + 1 < window.length() && Character.isLowSurrogate(window.charAt(i + 1)), "at " + i);
            }
            if (Character.isLowSurrogate(c)) {
                assertTrue(i > 0 && Character.isHighSurrogate(window.charAt(i - 1)), "at " + i);
            }
        }
        assertFalse(window.contains("😀😀"));
    }
}
