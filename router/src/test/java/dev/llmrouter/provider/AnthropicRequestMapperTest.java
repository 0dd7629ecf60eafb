package dev.llmrouter.provider;

import static dev.llmrouter.provider.TestCalls.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnthropicRequestMapperTest {
    private final AnthropicRequestMapper mapper = new AnthropicRequestMapper("anthropic");

    private ObjectNode convert(String openAiJson) throws ProviderFailure {
        return mapper.toBody(TestCalls.call(TestCalls.request(q(openAiJson))), false);
    }

    @Test
    void joinsSystemMessagesIntoTheTopLevelSystem() throws Exception {
        ObjectNode body = convert("""
                {'messages':[{'role':'system','content':'First.'},
                             {'role':'developer','content':[{'type':'text','text':'Second.'}]},
                             {'role':'user','content':'hi'}]}
                """);

        assertEquals("First.\n\nSecond.", body.path("system").asText());
        assertEquals(1, body.path("messages").size());
        JsonNode user = body.path("messages").get(0);
        assertEquals("user", user.path("role").asText());
        assertEquals("hi", user.path("content").get(0).path("text").asText());
    }

    @Test
    void convertsImagePartsFromDataAndHttpUrls() throws Exception {
        ObjectNode body = convert("""
                {'messages':[{'role':'user','content':[
                    {'type':'text','text':'What is this?'},
                    {'type':'image_url','image_url':{'url':'data:image/png;base64,iVBORw0KGgo='}},
                    {'type':'image_url','image_url':{'url':'https://example.com/cat.jpg','detail':'high'}}]}]}
                """);

        JsonNode content = body.path("messages").get(0).path("content");
        assertEquals("text", content.get(0).path("type").asText());
        JsonNode base64 = content.get(1);
        assertEquals("image", base64.path("type").asText());
        assertEquals("base64", base64.path("source").path("type").asText());
        assertEquals("image/png", base64.path("source").path("media_type").asText());
        assertEquals("iVBORw0KGgo=", base64.path("source").path("data").asText());
        JsonNode url = content.get(2);
        assertEquals("url", url.path("source").path("type").asText());
        assertEquals(
                "https://example.com/cat.jpg", url.path("source").path("url").asText());
    }

    @Test
    void aDataUrlThatIsNotBase64IsABadRequest() {
        ProviderFailure failure = assertThrows(
                ProviderFailure.class,
                () -> convert("{'messages':[{'role':'user','content':[{'type':'image_url',"
                        + "'image_url':{'url':'data:image/svg+xml,<svg/>'}}]}]}"));

        assertEquals(ErrorKind.BAD_REQUEST, failure.kind());
        assertTrue(failure.getMessage().contains("messages[0].content[0]"), failure.getMessage());
    }

    @Test
    void mergesParallelToolResultsIntoOneUserTurn() throws Exception {
        ObjectNode body = convert("""
                {'messages':[{'role':'user','content':'two lookups'},
                  {'role':'assistant','content':'Looking.','tool_calls':[
                     {'id':'a','type':'function','function':{'name':'f','arguments':'{}'}},
                     {'id':'b','type':'function','function':{'name':'g','arguments':'{\\'x\\':[1]}'}}]},
                  {'role':'tool','tool_call_id':'a','content':'one'},
                  {'role':'tool','tool_call_id':'b','content':[{'type':'text','text':'two'}]},
                  {'role':'user','content':'thanks'}]}
                """);

        JsonNode messages = body.path("messages");
        assertEquals(3, messages.size());
        JsonNode assistant = messages.get(1).path("content");
        assertEquals("text", assistant.get(0).path("type").asText());
        assertEquals("tool_use", assistant.get(1).path("type").asText());
        assertEquals("g", assistant.get(2).path("name").asText());
        assertEquals(1, assistant.get(2).path("input").path("x").get(0).asInt());
        JsonNode results = messages.get(2).path("content");
        assertEquals(3, results.size());
        assertEquals("a", results.get(0).path("tool_use_id").asText());
        assertEquals("one", results.get(0).path("content").asText());
        assertEquals("two", results.get(1).path("content").get(0).path("text").asText());
        assertEquals("thanks", results.get(2).path("text").asText());
    }

    @Test
    void convertsToolsAndDropsOpenAiOnlyParameters() throws Exception {
        ObjectNode body = convert("""
                {'messages':[{'role':'user','content':'hi'}],'temperature':1.7,'top_p':0.9,'stop':['A','B'],
                 'logprobs':true,'n':1,'presence_penalty':0.5,'seed':1,'user':'u-1','parallel_tool_calls':false,
                 'tools':[{'type':'function','function':{'name':'noargs'}}]}
                """);

        assertEquals(1.0, body.path("temperature").asDouble());
        assertEquals(0.9, body.path("top_p").asDouble());
        assertEquals("B", body.path("stop_sequences").get(1).asText());
        assertEquals("u-1", body.path("metadata").path("user_id").asText());
        JsonNode tool = body.path("tools").get(0);
        assertEquals("noargs", tool.path("name").asText());
        assertEquals("object", tool.path("input_schema").path("type").asText());
        assertTrue(body.path("tool_choice").path("disable_parallel_tool_use").asBoolean());
        for (String dropped :
                new String[] {"logprobs", "n", "presence_penalty", "seed", "user", "parallel_tool_calls"}) {
            assertTrue(body.path(dropped).isMissingNode(), dropped);
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "'auto'|{'type':'auto'}",
                "'none'|{'type':'none'}",
                "'required'|{'type':'any'}",
                "{'type':'function','function':{'name':'f'}}|{'type':'tool','name':'f'}"
            })
    void mapsToolChoice(String openAi, String anthropic) throws Exception {
        ObjectNode body = convert("{'messages':[{'role':'user','content':'hi'}],"
                + "'tools':[{'type':'function','function':{'name':'f','parameters':{'type':'object'}}}],"
                + "'tool_choice':" + openAi + "}");

        assertEquals(TestCalls.parse(q(anthropic)), body.path("tool_choice"));
    }

    @Test
    void anUnknownRoleIsABadRequest() {
        ProviderFailure failure =
                assertThrows(ProviderFailure.class, () -> convert("{'messages':[{'role':'critic','content':'hi'}]}"));

        assertEquals(ErrorKind.BAD_REQUEST, failure.kind());
        assertTrue(failure.getMessage().contains("critic"));
    }

    @Test
    void toolArgumentsThatAreNotAnObjectAreABadRequest() {
        ProviderFailure failure = assertThrows(
                ProviderFailure.class,
                () -> convert("{'messages':[{'role':'user','content':'x'},{'role':'assistant','tool_calls':["
                        + "{'id':'a','type':'function','function':{'name':'f','arguments':'[1,'}}]}]}"));

        assertEquals(ErrorKind.BAD_REQUEST, failure.kind());
        assertTrue(failure.getMessage().contains("messages[1].tool_calls[0]"), failure.getMessage());
    }
}
