package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmrouter.catalog.ProviderSpec;
import dev.llmrouter.catalog.Timeouts;
import dev.llmrouter.provider.Completion;
import dev.llmrouter.provider.ProviderCall;
import dev.llmrouter.provider.ProviderClient;
import dev.llmrouter.provider.ProviderClients;
import dev.llmrouter.provider.SimulatedProvider;
import dev.llmrouter.provider.StreamSink;
import dev.llmrouter.request.ChatRequest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The simulated upstream answers the router's own OpenAI client, whole and streamed, with the same answer. */
class SimulatedUpstreamTest {
    @Test
    void aStreamedAnswerArrivesWordByWordAndEqualsTheWholeOne() throws Exception {
        SimulatedProvider.Settings settings = new SimulatedProvider.Settings(Duration.ZERO, 0, Map.of(1, 1.0));
        try (SimulatedUpstream upstream = SimulatedUpstream.start("127.0.0.1", 0, settings)) {
            ProviderClient client = ProviderClients.create(
                    new ProviderSpec(
                            "sim",
                            ProviderSpec.Kind.OPENAI,
                            URI.create("http://127.0.0.1:" + upstream.port() + "/v1"),
                            "SIM_KEY",
                            Timeouts.DEFAULT),
                    key -> Optional.of("unused"));
            ProviderCall call = new ProviderCall(
                    "sim-model", ChatRequest.ofPrompt("What is the capital of France?"), Timeouts.DEFAULT);
            Completion whole = client.complete(call);
            List<String> pieces = new ArrayList<>();
            Completion streamed = client.stream(call, new StreamSink() {
                @Override
                public void onText(String delta) {
                    pieces.add(delta);
                }
            });
            assertTrue(pieces.size() > 5, "one chunk a word: " + pieces);
            assertEquals(whole.text(), String.join("", pieces));
            assertEquals(whole.text(), streamed.text());
            assertEquals(whole.finishReason(), streamed.finishReason());
            assertEquals(whole.usage(), streamed.usage());
        }
    }
}
