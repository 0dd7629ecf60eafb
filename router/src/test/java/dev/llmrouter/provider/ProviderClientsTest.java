package dev.llmrouter.provider;

import static dev.llmrouter.provider.TestCalls.SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.catalog.ProviderSpec;
import dev.llmrouter.provider.FakeUpstream.Reply;
import dev.llmrouter.request.ChatRequest;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ProviderClientsTest {
    private final FakeUpstream upstream = new FakeUpstream();

    @AfterEach
    void stop() {
        upstream.close();
    }

    @Test
    void createsTheClientOfTheSpecsKind() {
        assertInstanceOf(
                OpenAiCompatibleClient.class,
                TestCalls.client(ProviderSpec.Kind.OPENAI, upstream.uri("/v1"), TestCalls.emptyEnv()));
        assertInstanceOf(
                AnthropicClient.class,
                TestCalls.client(ProviderSpec.Kind.ANTHROPIC, upstream.uri(""), TestCalls.emptyEnv()));
    }

    @ParameterizedTest
    @EnumSource(ProviderSpec.Kind.class)
    void aMissingKeyFailsEveryCallWithAuthNamingTheVariable(ProviderSpec.Kind kind) {
        ProviderClient client = TestCalls.client(kind, upstream.uri("/v1"), TestCalls.emptyEnv());
        String variable = kind == ProviderSpec.Kind.OPENAI ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY";
        String provider = kind == ProviderSpec.Kind.OPENAI ? "openai" : "anthropic";
        ProviderCall call = TestCalls.call(ChatRequest.ofPrompt("hi"));

        ProviderFailure complete = assertThrows(ProviderFailure.class, () -> client.complete(call));
        ProviderFailure stream =
                assertThrows(ProviderFailure.class, () -> client.stream(call, StreamSink.discarding()));

        for (ProviderFailure failure : List.of(complete, stream)) {
            assertEquals(ErrorKind.AUTH, failure.kind());
            assertEquals(variable + " is not set: export it with the " + provider + " API key", failure.getMessage());
        }
        assertEquals(List.of(), upstream.received());
    }

    @Test
    void aBlankKeyCountsAsMissing() {
        ProviderClient client = TestCalls.client(
                ProviderSpec.Kind.OPENAI, upstream.uri("/v1"), TestCalls.envWith("OPENAI_API_KEY", "   "));

        ProviderFailure failure =
                assertThrows(ProviderFailure.class, () -> client.complete(TestCalls.call(ChatRequest.ofPrompt("hi"))));

        assertEquals(ErrorKind.AUTH, failure.kind());
        assertTrue(failure.getMessage().startsWith("OPENAI_API_KEY is not set"));
    }

    @Test
    void aKeyNoHeaderCanCarryIsRefusedWithoutShowingIt() {
        String bad = "sk-abc\ndef";
        ProviderClient client = TestCalls.client(
                ProviderSpec.Kind.OPENAI, upstream.uri("/v1"), TestCalls.envWith("OPENAI_API_KEY", bad));

        ProviderFailure failure =
                assertThrows(ProviderFailure.class, () -> client.complete(TestCalls.call(ChatRequest.ofPrompt("hi"))));

        assertEquals(ErrorKind.AUTH, failure.kind());
        assertFalse(failure.getMessage().contains("sk-abc"));
    }

    @ParameterizedTest
    @EnumSource(ProviderSpec.Kind.class)
    void theKeyNeverAppearsInFailuresEvenWhenTheProviderEchoesIt(ProviderSpec.Kind kind) {
        ProviderClient client = TestCalls.client(kind, upstream.uri("/v1"), TestCalls.envWith(keyEnv(kind), SECRET));
        upstream.enqueue(Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + SECRET + "\"}}"));
        upstream.enqueue(Reply.json(500, "{\"error\":{\"message\":\"boom\"}}"));
        upstream.enqueue(Reply.json(200, "not json " + SECRET));
        ProviderCall call = TestCalls.call(ChatRequest.ofPrompt("hi"));

        ProviderFailure unauthorised = assertThrows(ProviderFailure.class, () -> client.complete(call));
        ProviderFailure serverError = assertThrows(ProviderFailure.class, () -> client.complete(call));
        ProviderFailure malformed = assertThrows(ProviderFailure.class, () -> client.complete(call));

        assertEquals(ErrorKind.AUTH, unauthorised.kind());
        assertTrue(unauthorised.getMessage().contains("[redacted]"), unauthorised.getMessage());
        assertEquals(ErrorKind.SERVER_ERROR, serverError.kind());
        assertEquals(ErrorKind.SERVER_ERROR, malformed.kind());
        for (ProviderFailure failure : List.of(unauthorised, serverError, malformed)) {
            assertFalse(failure.getMessage().contains(SECRET), failure.getMessage());
        }
        assertFalse(client.toString().contains(SECRET));
        assertTrue(upstream.received().get(0).allHeaderText().contains(SECRET), "the key is sent upstream");
    }

    @Test
    void aBaseUrlThatIsNotHttpIsRefusedAtConstruction() {
        ProviderSpec spec = new ProviderSpec(
                "odd", ProviderSpec.Kind.OPENAI, URI.create("ftp://example.com/v1"), "", TestCalls.FAST);

        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ProviderClients.create(spec, TestCalls.emptyEnv()));

        assertTrue(e.getMessage().contains("odd"));
    }

    private static String keyEnv(ProviderSpec.Kind kind) {
        return kind == ProviderSpec.Kind.OPENAI ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY";
    }
}
