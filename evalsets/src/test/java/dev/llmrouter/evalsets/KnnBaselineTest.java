package dev.llmrouter.evalsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kNN baseline on two kinds of prompt: one the strong model is needed for, one both models answer. */
class KnnBaselineTest {
    static final String[] TOPICS = {"sine", "cosine", "logarithm", "exponential", "tangent"};
    static final String[] FILMS = {"comedy", "thriller", "documentary", "western", "cartoon"};

    static List<LabelledRecord> records() {
        List<LabelledRecord> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            boolean hard = i % 2 == 0;
            String prompt = hard
                    ? "integrate the polynomial x^" + i + " times the " + TOPICS[i % 5] + " of x by parts"
                    : "recommend a good " + FILMS[i % 5] + " movie for tonight, number " + i;
            LabelledRecord r = EvaluationTest.record(i + 1, hard ? "math" : "chat", 0.5, hard ? 0 : 1, 1, "ok");
            out.add(new LabelledRecord(
                    r.id(),
                    r.source(),
                    r.category(),
                    r.split(),
                    prompt,
                    r.turns(),
                    r.outcomes(),
                    r.intent(),
                    r.file(),
                    r.line()));
        }
        return out;
    }

    static List<PairOutcome> items(List<LabelledRecord> records) {
        return records.stream()
                .map(r -> new PairOutcome(
                        r.category(),
                        r.prompt().length(),
                        r.outcomes().get("cheap").score(),
                        r.outcomes().get("strong").score(),
                        0,
                        0))
                .toList();
    }

    @Test
    void aRequestScoresTheGainOfItsNeighboursFromOtherFolds() {
        List<LabelledRecord> records = records();
        double[] scores = KnnBaseline.scores(records, items(records), 7);
        for (int i = 0; i < scores.length; i++) {
            // integrals gain 1 from the strong model, films 0: the neighbours are of the same kind
            assertEquals(i % 2 == 0 ? 1.0 : 0.0, scores[i], 1e-6, "record " + i);
        }
        assertArrayEquals(scores, KnnBaseline.scores(records, items(records), 7));
    }

    @Test
    void aRecordNeverSeesItsOwnOutcome() {
        List<LabelledRecord> records = new ArrayList<>(records());
        // a lone integral that the cheap model got right: its neighbours still say it needs the strong one
        LabelledRecord odd = EvaluationTest.record(99, "math", 0.5, 1, 1, "ok");
        records.add(new LabelledRecord(
                odd.id(),
                odd.source(),
                odd.category(),
                odd.split(),
                "integrate the polynomial x^99 times the sine of x by parts",
                odd.turns(),
                odd.outcomes(),
                odd.intent(),
                odd.file(),
                odd.line()));
        double[] scores = KnnBaseline.scores(records, items(records), 7);
        assertTrue(scores[scores.length - 1] > 0.9, String.valueOf(scores[scores.length - 1]));
    }
}
