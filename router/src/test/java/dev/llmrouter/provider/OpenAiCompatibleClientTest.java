package dev.llmrouter.provider;

import static dev.llmrouter.provider.TestCalls.SECRET;
import static dev.llmrouter.provider.TestCalls.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.catalog.ProviderSpec;
import dev.llmrouter.provider.FakeUpstream.Reply;
import dev.llmrouter.request.ChatRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenAiCompatibleClientTest {
    private final FakeUpstream upstream = new FakeUpstream();
    private final ProviderClient client = TestCalls.client(
            ProviderSpec.Kind.OPENAI, upstream.uri("/v1/"), TestCalls.envWith("OPENAI_API_KEY", SECRET));

    @AfterEach
    void stop() {
        upstream.close();
    }

    private static final String ANSWER = q("""
            {'id':'chatcmpl-1','model':'gpt-4o-2024-08-06',
             'choices':[{'index':0,'message':{'role':'assistant','content':'Hello there',
               'tool_calls':[{'id':'call_a','type':'function','function':{'name':'lookup','arguments':'{\\'q\\':1}'}}]},
               'logprobs':{'content':[{'token':'Hello','logprob':-0.25},{'token':' there','logprob':-1.5}]},
               'finish_reason':'tool_calls'}],
             'usage':{'prompt_tokens':12,'completion_tokens':7,'total_tokens':19}}
            """);

    @Test
    void parsesTextToolCallsUsageLogprobsAndModel() throws Exception {
        upstream.enqueue(Reply.json(200, ANSWER));

        Completion completion = client.complete(TestCalls.call(ChatRequest.ofPrompt("hi")));

        assertEquals("Hello there", completion.text());
        assertEquals("tool_calls", completion.finishReason());
        assertEquals(1, completion.toolCalls().size());
        JsonNode call = completion.toolCalls().get(0);
        assertEquals("call_a", call.path("id").asText());
        assertEquals("lookup", call.path("function").path("name").asText());
        assertEquals("{\"q\":1}", call.path("function").path("arguments").asText());
        assertEquals(new Usage(12, 7, false), completion.usage());
        assertEquals(List.of(-0.25, -1.5), completion.tokenLogprobs());
        assertEquals("gpt-4o-2024-08-06", completion.upstreamModel());
    }

    @Test
    void sendsModelMessagesParametersAndBearerKey() throws Exception {
        upstream.enqueue(Reply.json(200, ANSWER));
        ChatRequest request = TestCalls.request(q("""
                {'model':'alias','max_tokens':64,'temperature':0.2,'stop':['END'],
                 'response_format':{'type':'json_object'},
                 'messages':[{'role':'system','content':'be brief'},
                             {'role':'user','content':[{'type':'text','text':'hi'}],'name':'bob'}]}
                """));

        client.complete(TestCalls.call(request));

        FakeUpstream.Received received = upstream.onlyRequest();
        assertEquals("POST", received.method());
        assertEquals("/v1/chat/completions", received.path());
        assertEquals(Optional.of("Bearer " + SECRET), received.header("Authorization"));
        ObjectNode body = received.json();
        assertEquals("test-model", body.path("model").asText());
        assertEquals(64, body.path("max_tokens").asInt());
        assertFalse(body.path("stream").asBoolean(true));
        assertEquals(0.2, body.path("temperature").asDouble());
        assertEquals("END", body.path("stop").get(0).asText());
        assertEquals("json_object", body.path("response_format").path("type").asText());
        assertEquals(request.messages().get(0).raw(), body.path("messages").get(0));
        assertEquals(request.messages().get(1).raw(), body.path("messages").get(1));
        assertTrue(body.path("stream_options").isMissingNode());
    }

    @Test
    void estimatesUsageWhenTheProviderSendsNone() throws Exception {
        upstream.enqueue(
                Reply.json(200, q("{'model':'m','choices':[{'message':{'content':null},'finish_reason':'stop'}]}")));

        Completion completion = client.complete(TestCalls.call(ChatRequest.ofPrompt("a prompt of some length")));

        assertEquals("", completion.text());
        assertTrue(completion.usage().estimated());
        assertTrue(completion.usage().inputTokens() > 0);
        assertEquals(List.of(), completion.tokenLogprobs());
    }

    @Test
    void streamsDeltasInOrderWithTheUsageChunk() throws Exception {
        upstream.enqueue(Reply.sse()
                .data(q("{'model':'gpt-x','choices':[{'index':0,'delta':{'role':'assistant','content':''}}]}"))
                .data(q("{'choices':[{'index':0,'delta':{'content':'Hel'}}]}"))
                .pause(Duration.ofMillis(20))
                .send(": keep-alive comment\n\n")
                .data(q("{'choices':[{'index':0,'delta':{'content':'lo'}}]}"))
                .data(q("{'choices':[{'index':0,'delta':{},'finish_reason':'stop'}]}"))
                .data(q("{'choices':[],'usage':{'prompt_tokens':5,'completion_tokens':2}}"))
                .data("[DONE]"));
        TestCalls.RecordingSink sink = new TestCalls.RecordingSink();

        Completion completion = client.stream(TestCalls.call(ChatRequest.ofPrompt("hi")), sink);

        assertEquals(List.of("Hel", "lo"), sink.deltas);
        assertEquals("Hello", completion.text());
        assertEquals("stop", completion.finishReason());
        assertEquals(new Usage(5, 2, false), completion.usage());
        assertEquals("gpt-x", completion.upstreamModel());
        ObjectNode body = upstream.onlyRequest().json();
        assertTrue(body.path("stream").asBoolean());
        assertTrue(body.path("stream_options").path("include_usage").asBoolean());
        assertEquals(Optional.of("text/event-stream"), upstream.onlyRequest().header("Accept"));
    }

    @Test
    void mergesToolCallDeltasByIndex() throws Exception {
        upstream.enqueue(Reply.sse()
                .data(q("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_1','type':'function',"
                        + "'function':{'name':'get_weather','arguments':''}}]}}]}"))
                .data(
                        q(
                                "{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'{\\'ci'}}]}}]}"))
                .data(q("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':1,'id':'call_2',"
                        + "'function':{'name':'get_time','arguments':'{}'}}]}}]}"))
                .data(
                        q(
                                "{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'ty\\':\\'Oslo\\'}'}}]}}]}"))
                .data(q("{'choices':[{'index':0,'delta':{},'finish_reason':'tool_calls'}]}"))
                .data("[DONE]"));

        Completion completion =
                client.stream(TestCalls.call(ChatRequest.ofPrompt("weather?")), StreamSink.discarding());

        assertEquals("tool_calls", completion.finishReason());
        assertEquals(2, completion.toolCalls().size());
        JsonNode first = completion.toolCalls().get(0);
        assertEquals("call_1", first.path("id").asText());
        assertEquals("function", first.path("type").asText());
        assertEquals("get_weather", first.path("function").path("name").asText());
        assertEquals(
                "{\"city\":\"Oslo\"}", first.path("function").path("arguments").asText());
        assertEquals(
                "get_time",
                completion.toolCalls().get(1).path("function").path("name").asText());
        assertTrue(completion.usage().estimated());
    }

    @Test
    void acceptsAStreamWithoutDoneOnceItHasAFinishReason() throws Exception {
        upstream.enqueue(
                Reply.sse().data(q("{'choices':[{'index':0,'delta':{'content':'ok'},'finish_reason':'length'}]}")));

        Completion completion = client.stream(TestCalls.call(ChatRequest.ofPrompt("hi")), StreamSink.discarding());

        assertEquals("ok", completion.text());
        assertTrue(completion.truncated());
    }

    @Test
    void aStreamEndingWithoutDoneOrFinishReasonIsAServerError() {
        upstream.enqueue(Reply.sse().data(q("{'choices':[{'index':0,'delta':{'content':'par'}}]}")));

        ProviderFailure failure = assertThrows(
                ProviderFailure.class,
                () -> client.stream(TestCalls.call(ChatRequest.ofPrompt("hi")), StreamSink.discarding()));

        assertEquals(ErrorKind.SERVER_ERROR, failure.kind());
        assertTrue(failure.getMessage().contains("stream ended before the answer was complete"), failure.getMessage());
    }

    @Test
    void aConnectionCutMidStreamIsAServerErrorAfterThePartialText() {
        upstream.enqueue(Reply.sse()
                .data(q("{'choices':[{'index':0,'delta':{'content':'partial'}}]}"))
                .send("data: {\"choices\":[{\"ind")
                .cut());
        TestCalls.RecordingSink sink = new TestCalls.RecordingSink();

        ProviderFailure failure = assertThrows(
                ProviderFailure.class, () -> client.stream(TestCalls.call(ChatRequest.ofPrompt("hi")), sink));

        assertEquals(ErrorKind.SERVER_ERROR, failure.kind());
        assertTrue(failure.getMessage().contains("stream ended before the answer was complete"), failure.getMessage());
        assertEquals(List.of("partial"), sink.deltas);
    }

    @Test
    void aStalledStreamTimesOut() {
        upstream.enqueue(Reply.sse()
                .data(q("{'choices':[{'index':0,'delta':{'content':'slow'}}]}"))
                .stall());

        ProviderFailure failure = assertThrows(
                ProviderFailure.class,
                () -> client.stream(
                        TestCalls.call(ChatRequest.ofPrompt("hi"), TestCalls.SHORT), StreamSink.discarding()));

        assertEquals(ErrorKind.TIMEOUT, failure.kind());
        assertTrue(failure.getMessage().contains("total timeout"), failure.getMessage());
    }

    @Test
    void noHeadersWithinTheFirstByteTimeoutIsATimeout() {
        upstream.enqueue(Reply.silent());

        ProviderFailure failure = assertThrows(
                ProviderFailure.class,
                () -> client.complete(TestCalls.call(ChatRequest.ofPrompt("hi"), TestCalls.SHORT)));

        assertEquals(ErrorKind.TIMEOUT, failure.kind());
        assertTrue(failure.getMessage().contains("first-byte"), failure.getMessage());
    }

    @Test
    void aStalledNonStreamedBodyTimesOut() {
        upstream.enqueue(Reply.json(200, "").send("{\"choices\":[").stall());

        ProviderFailure failure = assertThrows(
                ProviderFailure.class,
                () -> client.complete(TestCalls.call(ChatRequest.ofPrompt("hi"), TestCalls.SHORT)));

        assertEquals(ErrorKind.TIMEOUT, failure.kind());
    }

    @Test
    void malformedJsonIsAServerErrorNamingTheProblem() {
        upstream.enqueue(Reply.json(200, "{\"choices\": [ {\"message\": "));

        ProviderFailure failure =
                assertThrows(ProviderFailure.class, () -> client.complete(TestCalls.call(ChatRequest.ofPrompt("hi"))));

        assertEquals(ErrorKind.SERVER_ERROR, failure.kind());
        assertTrue(failure.getMessage().contains("malformed JSON"), failure.getMessage());
    }

    @Test
    void aBodyWithoutChoicesIsAServerError() {
        upstream.enqueue(Reply.json(200, "{\"object\":\"list\"}"));

        ProviderFailure failure =
                assertThrows(ProviderFailure.class, () -> client.complete(TestCalls.call(ChatRequest.ofPrompt("hi"))));

        assertEquals(ErrorKind.SERVER_ERROR, failure.kind());
        assertTrue(failure.getMessage().contains("choices"), failure.getMessage());
    }

    @Test
    void aMalformedStreamEventIsAServerError() {
        upstream.enqueue(Reply.sse().data("{not json}").data("[DONE]"));

        ProviderFailure failure = assertThrows(
                ProviderFailure.class,
                () -> client.stream(TestCalls.call(ChatRequest.ofPrompt("hi")), StreamSink.discarding()));

        assertEquals(ErrorKind.SERVER_ERROR, failure.kind());
        assertTrue(failure.getMessage().contains("malformed JSON"), failure.getMessage());
    }

    @Test
    void anErrorChunkMidStreamIsMappedByItsType() {
        upstream.enqueue(Reply.sse()
                .data(q("{'choices':[{'index':0,'delta':{'content':'a'}}]}"))
                .data(q("{'error':{'message':'The server is overloaded','type':'overloaded_error'}}")));

        ProviderFailure failure = assertThrows(
                ProviderFailure.class,
                () -> client.stream(TestCalls.call(ChatRequest.ofPrompt("hi")), StreamSink.discarding()));

        assertEquals(ErrorKind.OVERLOADED, failure.kind());
    }

    @Test
    void rateLimitedWithRetryAfter() {
        upstream.enqueue(Reply.json(429, q("{'error':{'message':'Rate limit reached','type':'requests'}}"))
                .header("Retry-After", "7"));

        ProviderFailure failure =
                assertThrows(ProviderFailure.class, () -> client.complete(TestCalls.call(ChatRequest.ofPrompt("hi"))));

        assertEquals(ErrorKind.RATE_LIMITED, failure.kind());
        assertEquals(OptionalInt.of(429), failure.httpStatus());
        assertEquals(Optional.of(Duration.ofSeconds(7)), failure.retryAfter());
        assertEquals("openai answered HTTP 429: Rate limit reached", failure.getMessage());
    }

    @Test
    void contextLengthErrorFromTheClient() {
        upstream.enqueue(Reply.json(
                400,
                q("{'error':{'message':'This model\\'s maximum context length is 8192 tokens',"
                        + "'type':'invalid_request_error','code':'context_length_exceeded'}}")));

        ProviderFailure failure =
                assertThrows(ProviderFailure.class, () -> client.complete(TestCalls.call(ChatRequest.ofPrompt("hi"))));

        assertEquals(ErrorKind.CONTEXT_TOO_LONG, failure.kind());
    }

    @Test
    void aRefusedConnectionIsAServerErrorOrTimeoutNamingTheHost() throws Exception {
        int port;
        try (java.net.ServerSocket socket =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        ProviderClient closed = TestCalls.client(
                ProviderSpec.Kind.OPENAI,
                java.net.URI.create("http://127.0.0.1:" + port + "/v1"),
                TestCalls.envWith("OPENAI_API_KEY", SECRET));

        ProviderFailure failure =
                assertThrows(ProviderFailure.class, () -> closed.complete(TestCalls.call(ChatRequest.ofPrompt("hi"))));

        assertTrue(
                failure.kind() == ErrorKind.SERVER_ERROR || failure.kind() == ErrorKind.TIMEOUT, failure.kind()::name);
        assertTrue(failure.getMessage().contains("127.0.0.1:" + port), failure.getMessage());
        assertFalse(failure.getMessage().contains(SECRET));
    }

    @Test
    void aProviderWithoutKeyVariableSendsNoAuthorization() throws Exception {
        upstream.enqueue(Reply.json(200, ANSWER));
        ProviderClient local = ProviderClients.create(
                new ProviderSpec("ollama", ProviderSpec.Kind.OPENAI, upstream.uri("/v1"), "", TestCalls.FAST),
                TestCalls.emptyEnv());

        local.complete(TestCalls.call(ChatRequest.ofPrompt("hi")));

        assertEquals(Optional.empty(), upstream.onlyRequest().header("Authorization"));
    }
}
