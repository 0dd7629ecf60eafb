package dev.llmrouter.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EscalationCauseTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            truncated                                   | truncated
            empty                                       | empty
            refusal                                     | refusal
            invalid_json                                | invalid_json
            content_filter                              | content_filter
            learned:gate-math arithmetic_wrong:1/3      | arithmetic_wrong
            learned:gate-math arithmetic_wrong:1/3 truncated | truncated
            logprobs                                    | low_logprobs
            learned:gate-math                           | below_threshold
            outside_learned_domain no_check_failed      | below_threshold
            """)
    void theGatesReasonsGiveOneCause(String reasons, String cause) {
        assertEquals(cause, EscalationCause.of(List.of(reasons.split(" "))).key());
    }
}
