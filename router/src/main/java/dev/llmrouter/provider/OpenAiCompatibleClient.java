package dev.llmrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.catalog.ProviderSpec;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A client of the OpenAI chat-completions API ({@code POST {baseUrl}/chat/completions}), also spoken by
 * Google, Together, Groq, vLLM, Ollama and others.
 *
 * <p>The body is {@link OpenAiWire#writeRequest}'s; answers are read by {@link OpenAiWire#readCompletion}
 * and, streamed, by {@link OpenAiStreamState}. A provider that sends no usage gets estimated usage. A stream is complete at {@code data: [DONE]} or, for providers that omit it, once a finish reason
 * arrived; one that ends before either fails with {@link ErrorKind#SERVER_ERROR}.
 */
final class OpenAiCompatibleClient extends JsonApiClient {
    OpenAiCompatibleClient(ProviderSpec spec, ApiKey apiKey) {
        super(spec, apiKey, URI.create(ProviderClients.trimSlash(spec.baseUrl()) + "/chat/completions"));
    }

    @Override
    List<Map.Entry<String, String>> headers(Optional<String> key, boolean stream) {
        List<Map.Entry<String, String>> headers = HttpTransport.jsonHeaders(stream);
        key.ifPresent(value -> headers.add(Map.entry("Authorization", "Bearer " + value)));
        return headers;
    }

    @Override
    JsonNode body(ProviderCall call, boolean stream) {
        return OpenAiWire.writeRequest(call, stream);
    }

    @Override
    Completion parse(ProviderCall call, JsonNode root) throws ProviderFailure {
        return OpenAiWire.readCompletion(spec.name(), call, root);
    }

    @Override
    StreamState streamState(StreamSink sink) {
        return new OpenAiStreamState(spec.name(), sink);
    }
}
