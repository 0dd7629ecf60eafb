package dev.llmrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.catalog.ProviderSpec;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What every JSON-over-HTTP provider client shares: resolve the key, write the body, post it through the
 * transport (timeouts, redaction, error mapping), then read a whole answer or a stream. A subclass says only
 * what differs between APIs: its headers, its body, and how it reads an answer and a stream.
 */
abstract class JsonApiClient implements ProviderClient {
    /** Reads one streamed answer: fed the body once, then asked for the completion it made. */
    interface StreamState {
        void consume(InputStream body) throws ProviderFailure;

        Completion toCompletion(ProviderCall call);
    }

    final ProviderSpec spec;
    private final ApiKey apiKey;
    private final URI endpoint;
    private final HttpTransport transport;

    JsonApiClient(ProviderSpec spec, ApiKey apiKey, URI endpoint) {
        this.spec = spec;
        this.apiKey = apiKey;
        this.endpoint = endpoint;
        this.transport = new HttpTransport(spec.name(), spec.timeouts().connect());
    }

    /** The request headers, with the key when there is one. */
    abstract List<Map.Entry<String, String>> headers(Optional<String> key, boolean stream);

    /** The request body for {@code call}. */
    abstract JsonNode body(ProviderCall call, boolean stream) throws ProviderFailure;

    /** Reads a whole (not streamed) answer. */
    abstract Completion parse(ProviderCall call, JsonNode root) throws ProviderFailure;

    /** A reader for one streamed answer, sending its text to {@code sink}. */
    abstract StreamState streamState(StreamSink sink);

    @Override
    public final Completion complete(ProviderCall call) throws ProviderFailure {
        Optional<String> key = apiKey.resolve();
        return transport.exchange(
                endpoint,
                headers(key, false),
                ProviderClients.bytes(spec.name(), body(call, false)),
                call.timeouts(),
                key,
                body -> parse(
                        call, ResponseSupport.parseBody(spec.name(), ResponseSupport.readAll(spec.name(), body))));
    }

    @Override
    public final Completion stream(ProviderCall call, StreamSink sink) throws ProviderFailure {
        Optional<String> key = apiKey.resolve();
        return transport.exchange(
                endpoint,
                headers(key, true),
                ProviderClients.bytes(spec.name(), body(call, true)),
                call.timeouts(),
                key,
                body -> {
                    StreamState state = streamState(sink);
                    state.consume(body);
                    return state.toCompletion(call);
                });
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[provider=" + spec.name() + ", endpoint=" + endpoint + "]";
    }
}
