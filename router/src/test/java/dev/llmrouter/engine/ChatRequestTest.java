package dev.llmrouter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.provider.OpenAiWire;
import dev.llmrouter.request.Capability;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Message;
import dev.llmrouter.request.TokenEstimate;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How the engine reads an OpenAI chat-completions body, and what a request needs from a model. */
class ChatRequestTest {
    private static ChatRequest read(String json) {
        return OpenAiWire.readRequest((ObjectNode) Scenario.json(json));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{} | messages: expected a non-empty array of message objects",
                "{\"messages\": []} | messages: expected a non-empty array of message objects",
                "{\"messages\": \"hi\"} | messages: expected a non-empty array of message objects",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, \"hi\"]}"
                        + " | messages[1]: expected an object with a string 'role'",
                "{\"messages\": [{\"content\": \"hi\"}]} | messages[0]: expected an object with a string 'role'",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": \"10\"}"
                        + " | max_tokens: expected a positive integer, got \"10\"",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 0}"
                        + " | max_tokens: expected a positive integer, got 0",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 1.5}"
                        + " | max_tokens: expected a positive integer, got 1.5",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_completion_tokens\": -3}"
                        + " | max_completion_tokens: expected a positive integer, got -3",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stream\": \"yes\"}"
                        + " | stream: expected true or false, got \"yes\"",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"metadata\": [\"a\"]}"
                        + " | metadata: expected an object of string values",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"n\": 3}"
                        + " | n: the router returns one choice per request, got n = 3; send n: 1 (or leave it out)"
                        + " and make several requests for several answers",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"n\": 0}"
                        + " | n: expected a positive integer, got 0",
            })
    void malformedBodyIsRefusedNamingTheField(String body, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(body));

        assertEquals(message, e.getMessage());
    }

    @Test
    void wellFormedBodyIsRead() {
        ChatRequest r = read("""
                {"model": "router", "stream": true, "max_completion_tokens": 300, "temperature": 0.2,
                 "metadata": {"app": "support-bot", "risk_class": "confidential"},
                 "messages": [{"role": "system", "content": "Be brief."},
                              {"role": "user", "content": [{"type": "text", "text": "Hello"},
                                                           {"type": "text", "text": "there"}]}]}
                """);

        assertEquals(2, r.messages().size());
        assertEquals("Hello\nthere", r.lastUserText());
        assertEquals(OptionalInt.of(300), r.maxTokens());
        assertTrue(r.stream());
        assertEquals(Map.of("app", "support-bot", "risk_class", "confidential"), r.metadata());
        assertEquals("confidential", r.riskClass());
        assertEquals(
                Set.of("temperature"), r.parameters().keySet(), "model, metadata and the read fields are not kept");
        assertEquals(1, r.userTurns());
    }

    @ParameterizedTest(name = "max_completion_tokens {0}, max_tokens {1} -> {2}")
    @CsvSource({"5, 100000, 5", "100000, 5, 5", "300, , 300", ", 300, 300"})
    void ofTheTwoOutputLimitsTheTighterHolds(Integer completionTokens, Integer maxTokens, int expected) {
        ObjectNode body =
                (ObjectNode) Scenario.json("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"n\": 1}");
        if (completionTokens != null) {
            body.put("max_completion_tokens", completionTokens);
        }
        if (maxTokens != null) {
            body.put("max_tokens", maxTokens);
        }

        assertEquals(OptionalInt.of(expected), OpenAiWire.readRequest(body).maxTokens());
    }

    @Test
    void nullOptionalFieldsAreTreatedAsAbsent() {
        ChatRequest r = read("""
                {"messages": [{"role": "user", "content": "hi"}], "max_tokens": null, "stream": null, "metadata": null}
                """);

        assertEquals(OptionalInt.empty(), r.maxTokens());
        assertFalse(r.stream());
        assertEquals(Map.of(), r.metadata());
        assertEquals("", r.riskClass());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{} | ''",
                "{\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]} | tools",
                "{\"tools\": []} | ''",
                "{\"tools\": null} | ''",
                "{\"functions\": [{\"name\": \"f\"}]} | tools",
                "{\"response_format\": {\"type\": \"json_object\"}} | json_output",
                "{\"response_format\": {\"type\": \"json_schema\", \"json_schema\": {}}} | json_output",
                "{\"response_format\": {\"type\": \"text\"}} | ''",
                "{\"stream\": true} | streaming",
                "{\"logprobs\": true} | logprobs",
                "{\"logprobs\": false} | ''",
                "{\"tools\": [{}], \"response_format\": {\"type\": \"json_object\"}, \"stream\": true} |"
                        + " tools json_output streaming",
            })
    void requiredCapabilitiesFollowTheRequestFields(String fields, String expected) {
        ObjectNode body = (ObjectNode) Scenario.json(fields);
        body.set("messages", Scenario.json("[{\"role\": \"user\", \"content\": \"hi\"}]"));

        Set<Capability> needed = OpenAiWire.readRequest(body).requiredCapabilities();

        Set<Capability> want = EnumSet.noneOf(Capability.class);
        for (String key : expected.isBlank() ? new String[0] : expected.strip().split(" ")) {
            want.add(Capability.fromKey(key).orElseThrow());
        }
        assertEquals(want, needed);
    }

    @Test
    void imagePartNeedsVision() {
        ChatRequest r = read("""
                {"messages": [{"role": "user", "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}]}
                """);

        assertEquals(Set.of(Capability.VISION), r.requiredCapabilities());
        assertEquals("What is this?", r.lastUserText());
    }

    @Test
    void wantsJsonOnlyForJsonResponseFormats() {
        assertTrue(read("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}],"
                        + " \"response_format\": {\"type\": \"json_object\"}}")
                .wantsJson());
        assertFalse(ChatRequest.ofPrompt("x").wantsJson());
    }

    @Test
    void requestWithoutMessagesIsRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new ChatRequest(List.of(), OptionalInt.empty(), false, Map.of(), Map.of(), ""));
    }

    @Test
    void copiesChangeOnlyWhatTheyName() {
        ChatRequest r = read("""
                {"messages": [{"role": "user", "content": "hi"}], "temperature": 0.1, "top_p": 0.9}
                """);

        assertEquals(OptionalInt.of(5), r.withMaxTokens(5).maxTokens());
        assertEquals(
                Set.of("top_p"), r.withoutParameter("temperature").parameters().keySet());
        assertTrue(r.withStream(true).stream());
        assertEquals(
                r.messages(),
                r.withStream(true).withMaxTokens(5).withoutParameter("top_p").messages());
    }

    @Test
    void promptTokensAreEstimatedAtFourCharactersPlusOverhead() {
        ChatRequest r = new ChatRequest(
                List.of(Message.of("system", "12345678"), Message.of("user", "123")),
                OptionalInt.empty(),
                false,
                Map.of(),
                Map.of(),
                "");

        // 3 per request + (4 + 8/4) + (4 + ceil(3/4))
        assertEquals(3 + 6 + 5, TokenEstimate.promptTokens(r));
    }
}
