package dev.llmrouter.provider;

import static dev.llmrouter.provider.TestCalls.SECRET;
import static dev.llmrouter.provider.TestCalls.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

class AnthropicClientTest {
    private static final String MESSAGE = q("""
            {'id':'msg_1','type':'message','role':'assistant','model':'claude-sonnet-4-20250514',
             'content':[{'type':'text','text':'Let me '},{'type':'text','text':'check.'},
                        {'type':'tool_use','id':'toolu_1','name':'get_weather','input':{'city':'Oslo'}}],
             'stop_reason':'tool_use','stop_sequence':null,
             'usage':{'input_tokens':30,'output_tokens':12}}
            """);

    private final FakeUpstream upstream = new FakeUpstream();
    private final ProviderClient client = TestCalls.client(
            ProviderSpec.Kind.ANTHROPIC, upstream.uri(""), TestCalls.envWith("ANTHROPIC_API_KEY", SECRET));

    @AfterEach
    void stop() {
        upstream.close();
    }

    @Test
    void parsesTextToolUseStopReasonAndUsage() throws Exception {
        upstream.enqueue(Reply.json(200, MESSAGE));

        Completion completion = client.complete(TestCalls.call(ChatRequest.ofPrompt("weather in Oslo?")));

        assertEquals("Let me check.", completion.text());
        assertEquals("tool_calls", completion.finishReason());
        assertEquals(new Usage(30, 12, false), completion.usage());
        assertEquals("claude-sonnet-4-20250514", completion.upstreamModel());
        JsonNode call = completion.toolCalls().get(0);
        assertEquals("toolu_1", call.path("id").asText());
        assertEquals("function", call.path("type").asText());
        assertEquals("get_weather", call.path("function").path("name").asText());
        assertEquals(
                "{\"city\":\"Oslo\"}", call.path("function").path("arguments").asText());
        assertEquals(List.of(), completion.tokenLogprobs());
    }

    @Test
    void sendsHeadersToTheMessagesEndpoint() throws Exception {
        upstream.enqueue(Reply.json(200, MESSAGE));

        client.complete(TestCalls.call(ChatRequest.ofPrompt("hi")));

        FakeUpstream.Received received = upstream.onlyRequest();
        assertEquals("/v1/messages", received.path());
        assertEquals(Optional.of(SECRET), received.header("x-api-key"));
        assertEquals(Optional.of("2023-06-01"), received.header("anthropic-version"));
        assertEquals(Optional.empty(), received.header("Authorization"));
        ObjectNode body = received.json();
        assertEquals("test-model", body.path("model").asText());
        assertEquals(
                AnthropicRequestMapper.DEFAULT_MAX_TOKENS,
                body.path("max_tokens").asInt());
        assertTrue(body.path("stream").isMissingNode());
    }

    @Test
    void aBaseUrlEndingInV1IsNotDoubled() throws Exception {
        ProviderClient v1 = TestCalls.client(
                ProviderSpec.Kind.ANTHROPIC, upstream.uri("/v1/"), TestCalls.envWith("ANTHROPIC_API_KEY", SECRET));
        upstream.enqueue(Reply.json(200, MESSAGE));

        v1.complete(TestCalls.call(ChatRequest.ofPrompt("hi")));

        assertEquals("/v1/messages", upstream.onlyRequest().path());
    }

    @Test
    void convertsTheRequestItSends() throws Exception {
        upstream.enqueue(Reply.json(200, MESSAGE));
        ChatRequest request = TestCalls.request(q("""
                {'max_tokens':100,'temperature':0.3,'stop':'END','seed':7,'response_format':{'type':'json_object'},
                 'tools':[{'type':'function','function':{'name':'get_weather','description':'Weather',
                           'parameters':{'type':'object','properties':{'city':{'type':'string'}}}}}],
                 'tool_choice':'required',
                 'messages':[{'role':'system','content':'Be terse.'},
                             {'role':'user','content':'Weather?'},
                             {'role':'assistant','content':null,'tool_calls':[{'id':'call_9','type':'function',
                                'function':{'name':'get_weather','arguments':'{\\'city\\':\\'Oslo\\'}'}}]},
                             {'role':'tool','tool_call_id':'call_9','content':'12C'}]}
                """));

        client.complete(TestCalls.call(request));

        ObjectNode body = upstream.onlyRequest().json();
        assertEquals("Be terse.", body.path("system").asText());
        assertEquals(100, body.path("max_tokens").asInt());
        assertEquals(0.3, body.path("temperature").asDouble());
        assertEquals("END", body.path("stop_sequences").get(0).asText());
        assertEquals("any", body.path("tool_choice").path("type").asText());
        assertEquals("get_weather", body.path("tools").get(0).path("name").asText());
        assertEquals(
                "object",
                body.path("tools").get(0).path("input_schema").path("type").asText());
        assertTrue(body.path("seed").isMissingNode());
        assertTrue(body.path("response_format").isMissingNode());
        JsonNode messages = body.path("messages");
        assertEquals(3, messages.size());
        assertEquals(
                "Oslo",
                messages.get(1)
                        .path("content")
                        .get(0)
                        .path("input")
                        .path("city")
                        .asText());
        JsonNode result = messages.get(2).path("content").get(0);
        assertEquals("user", messages.get(2).path("role").asText());
        assertEquals("tool_result", result.path("type").asText());
        assertEquals("call_9", result.path("tool_use_id").asText());
        assertEquals("12C", result.path("content").asText());
    }

    @Test
    void streamsTextAndToolUseEvents() throws Exception {
        upstream.enqueue(Reply.sse()
                .event(
                        "message_start",
                        q("{'type':'message_start','message':{'id':'msg_1','model':'claude-x',"
                                + "'usage':{'input_tokens':25,'output_tokens':1}}}"))
                .event(
                        "content_block_start",
                        q("{'type':'content_block_start','index':0," + "'content_block':{'type':'text','text':''}}"))
                .event("ping", q("{'type':'ping'}"))
                .event(
                        "content_block_delta",
                        q("{'type':'content_block_delta','index':0," + "'delta':{'type':'text_delta','text':'Hi'}}"))
                .pause(Duration.ofMillis(20))
                .event(
                        "content_block_delta",
                        q("{'type':'content_block_delta','index':0,"
                                + "'delta':{'type':'text_delta','text':' there'}}"))
                .event("content_block_stop", q("{'type':'content_block_stop','index':0}"))
                .event(
                        "content_block_start",
                        q("{'type':'content_block_start','index':1,"
                                + "'content_block':{'type':'tool_use','id':'toolu_7','name':'lookup','input':{}}}"))
                .event(
                        "content_block_delta",
                        q("{'type':'content_block_delta','index':1,"
                                + "'delta':{'type':'input_json_delta','partial_json':'{\\'q\\':'}}"))
                .event(
                        "content_block_delta",
                        q("{'type':'content_block_delta','index':1,"
                                + "'delta':{'type':'input_json_delta','partial_json':'\\'x\\'}'}}"))
                .event("content_block_stop", q("{'type':'content_block_stop','index':1}"))
                .event(
                        "message_delta",
                        q("{'type':'message_delta','delta':{'stop_reason':'tool_use'},"
                                + "'usage':{'output_tokens':15}}"))
                .event("message_stop", q("{'type':'message_stop'}")));
        TestCalls.RecordingSink sink = new TestCalls.RecordingSink();

        Completion completion = client.stream(TestCalls.call(ChatRequest.ofPrompt("hi")), sink);

        assertEquals(List.of("Hi", " there"), sink.deltas);
        assertEquals("Hi there", completion.text());
        assertEquals("tool_calls", completion.finishReason());
        assertEquals(new Usage(25, 15, false), completion.usage());
        assertEquals("claude-x", completion.upstreamModel());
        JsonNode call = completion.toolCalls().get(0);
        assertEquals("toolu_7", call.path("id").asText());
        assertEquals("{\"q\":\"x\"}", call.path("function").path("arguments").asText());
        assertTrue(upstream.onlyRequest().json().path("stream").asBoolean());
    }

    @Test
    void mapsStopReasons() {
        assertEquals("stop", AnthropicClient.finishReason("end_turn", false));
        assertEquals("stop", AnthropicClient.finishReason("stop_sequence", false));
        assertEquals("length", AnthropicClient.finishReason("max_tokens", false));
        assertEquals("tool_calls", AnthropicClient.finishReason("tool_use", true));
        assertEquals("content_filter", AnthropicClient.finishReason("refusal", false));
    }

    @Test
    void anErrorEventIsMappedByItsType() {
        upstream.enqueue(Reply.sse()
                .event("message_start", q("{'type':'message_start','message':{'model':'m','usage':{}}}"))
                .event("error", q("{'type':'error','error':{'type':'overloaded_error','message':'Overloaded'}}")));

        ProviderFailure failure = assertThrows(
                ProviderFailure.class,
                () -> client.stream(TestCalls.call(ChatRequest.ofPrompt("hi")), StreamSink.discarding()));

        assertEquals(ErrorKind.OVERLOADED, failure.kind());
    }

    @Test
    void aStreamCutBeforeTheStopIsAServerError() {
        upstream.enqueue(Reply.sse()
                .event("message_start", q("{'type':'message_start','message':{'model':'m','usage':{}}}"))
                .event(
                        "content_block_delta",
                        q("{'type':'content_block_delta','index':0," + "'delta':{'type':'text_delta','text':'Hi'}}"))
                .cut());

        ProviderFailure failure = assertThrows(
                ProviderFailure.class,
                () -> client.stream(TestCalls.call(ChatRequest.ofPrompt("hi")), StreamSink.discarding()));

        assertEquals(ErrorKind.SERVER_ERROR, failure.kind());
        assertTrue(failure.getMessage().contains("stream ended before the answer was complete"));
    }

    @Test
    void status529IsOverloaded() {
        upstream.enqueue(
                Reply.json(529, q("{'type':'error','error':{'type':'overloaded_error','message':'Overloaded'}}")));

        ProviderFailure failure =
                assertThrows(ProviderFailure.class, () -> client.complete(TestCalls.call(ChatRequest.ofPrompt("hi"))));

        assertEquals(ErrorKind.OVERLOADED, failure.kind());
        assertEquals(OptionalInt.of(529), failure.httpStatus());
        assertEquals("anthropic answered HTTP 529: Overloaded", failure.getMessage());
    }

    @Test
    void anUnconvertibleRequestIsABadRequestAndIsNotSent() {
        ChatRequest request = TestCalls.request(q("{'messages':[{'role':'user','content':[{'type':'input_audio',"
                + "'input_audio':{'data':'AAA','format':'wav'}}]}]}"));

        ProviderFailure failure = assertThrows(ProviderFailure.class, () -> client.complete(TestCalls.call(request)));

        assertEquals(ErrorKind.BAD_REQUEST, failure.kind());
        assertTrue(failure.getMessage().contains("input_audio"), failure.getMessage());
        assertEquals(List.of(), upstream.received());
    }
}
