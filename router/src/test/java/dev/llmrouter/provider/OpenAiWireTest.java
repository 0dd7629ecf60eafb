package dev.llmrouter.provider;

import static dev.llmrouter.provider.TestCalls.q;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.request.ChatRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What one side of the router writes in the OpenAI format, the other side reads back unchanged. */
class OpenAiWireTest {
    private static final ChatRequest REQUEST = TestCalls.request(q("{'model': 'router', 'messages': ["
            + "{'role': 'system', 'content': 'Be brief.'},"
            + "{'role': 'user', 'content': [{'type': 'text', 'text': 'What is 2 + 2?'}]}],"
            + " 'max_tokens': 50, 'max_completion_tokens': 40, 'temperature': 0.2,"
            + " 'tools': [{'type': 'function', 'function': {'name': 'add', 'parameters': {}}}],"
            + " 'metadata': {'risk_class': 'internal'}}"));

    private static final Completion ANSWER = new Completion(
            "It is 4.",
            "tool_calls",
            List.of(TestCalls.parse(q("{'id': 'call_1', 'type': 'function',"
                    + " 'function': {'name': 'add', 'arguments': '{\\\"a\\\": 2, \\\"b\\\": 2}'}}"))),
            new Usage(21, 7, false),
            List.of(TestCalls.parse(q("{'token': 'It', 'logprob': -0.01, 'bytes': [73, 116], 'top_logprobs': []}"))),
            "upstream-model");

    /** The answer as a client of the router reads it: served by the model the router names. */
    private static final Completion SERVED = new Completion(
            ANSWER.text(),
            ANSWER.finishReason(),
            ANSWER.toolCalls(),
            ANSWER.usage(),
            ANSWER.logprobs(),
            "served-model");

    @Test
    void aRequestWrittenForAProviderReadsBackAsTheSameRequest() {
        ObjectNode written = OpenAiWire.writeRequest(TestCalls.call(REQUEST), false);
        assertEquals("test-model", written.path("model").asText());
        ChatRequest read = OpenAiWire.readRequest(written);
        assertEquals(REQUEST.messages(), read.messages());
        assertEquals(REQUEST.maxTokens(), read.maxTokens());
        assertEquals(40, read.maxTokens().getAsInt(), "the tighter of the two limits holds");
        assertEquals(REQUEST.parameters(), read.parameters());
        assertEquals(Map.of(), read.metadata(), "routing metadata is the router's, not the provider's");
    }

    @Test
    void aCompletionWrittenByTheServerReadsBackAsTheSameCompletion() throws ProviderFailure {
        byte[] written = OpenAiWire.writeCompletion(ANSWER, "served-model", "trace-1");
        JsonNode root = TestCalls.parse(new String(written, StandardCharsets.UTF_8));
        assertEquals("chatcmpl-trace-1", root.path("id").asText());
        Completion read = OpenAiWire.readCompletion("test", TestCalls.call(REQUEST), root);
        assertEquals(SERVED, read);
    }

    @Test
    void aStreamWrittenByTheServerReadsBackAsTheSameCompletion() throws ProviderFailure {
        List<byte[]> events = new ArrayList<>();
        events.add(OpenAiWire.writeRoleChunk("served-model", "trace-2"));
        events.add(OpenAiWire.writeTextChunk("served-model", "trace-2", "It is "));
        events.add(OpenAiWire.writeTextChunk("served-model", "trace-2", "4."));
        events.addAll(OpenAiWire.writeFinalChunks("served-model", "trace-2", ANSWER, true));
        TestCalls.RecordingSink sink = new TestCalls.RecordingSink();
        OpenAiStreamState state = new OpenAiStreamState("test", sink);
        for (byte[] event : events) {
            state.onData(new String(event, StandardCharsets.UTF_8));
        }
        state.onData("[DONE]");
        assertEquals(List.of("It is ", "4."), sink.deltas);
        assertEquals(SERVED, state.toCompletion(TestCalls.call(REQUEST)));
    }
}
