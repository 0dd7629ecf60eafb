package dev.llmrouter.evalsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitsTest {
    private static LabelledRecord record(String file, String prompt) {
        return new LabelledRecord(
                "id",
                "src",
                "cat",
                Optional.empty(),
                prompt,
                List.of(),
                Map.of(
                        "m",
                        new LabelledRecord.Outcome(
                                1,
                                java.util.OptionalDouble.empty(),
                                java.util.OptionalInt.empty(),
                                java.util.OptionalInt.empty(),
                                java.util.OptionalInt.empty(),
                                Optional.empty())),
                Optional.empty(),
                file,
                1);
    }

    @Test
    void aQuestionKeepsItsIdentityAcrossAnswerOptionsAndFormatting() {
        LabelledRecord mmlu =
                record("mmlu.jsonl", "What is the capital of France?\nA. Paris\nB. Rome\nC. Oslo\nD. Bern\nAnswer:");
        LabelledRecord pro = record(
                "mmlu-pro.jsonl",
                "What is the  capital of France?\nA. Paris\nB. Rome\nC. Oslo\nD. Bern\nE. Lyon\nF. Nice\nAnswer:");
        assertEquals("what is the capital of france", Splits.key(mmlu));
        assertEquals(Splits.key(mmlu), Splits.key(pro));
        Splits splits = new Splits(1, 0.5);
        for (long seed = 0; seed < 20; seed++) {
            Splits s = new Splits(seed, 0.3);
            assertEquals(s.sideOf(mmlu), s.sideOf(pro));
        }
        assertEquals(splits.sideOf(mmlu), new Splits(1, 0.5).sideOf(mmlu), "deterministic for a seed");
    }

    @Test
    void theTestSideHoldsAboutTheAskedShareAndMovesWithTheSeed() {
        List<LabelledRecord> records = IntStream.range(0, 20_000)
                .mapToObj(i -> record("f", "question " + i))
                .toList();
        int test = new Splits(42, 0.25).select(records, Splits.Side.TEST).size();
        assertEquals(5000, test, 250);
        assertNotEquals(
                new Splits(42, 0.25).select(records, Splits.Side.TEST),
                new Splits(43, 0.25).select(records, Splits.Side.TEST));
    }

    @Test
    void aConversationIsIdentifiedByItsFirstTurn() {
        LabelledRecord second = new LabelledRecord(
                "id",
                "src",
                "cat",
                Optional.empty(),
                "Now shorten it.",
                List.of("Write a poem about the sea."),
                record("f", "x").outcomes(),
                Optional.empty(),
                "f",
                2);
        assertEquals("write a poem about the sea", Splits.key(second));
    }

    @Test
    void anImpossibleFractionIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Splits(1, 1.0));
    }
}
