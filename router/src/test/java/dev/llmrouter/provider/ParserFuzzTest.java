package dev.llmrouter.provider;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.catalog.Timeouts;
import dev.llmrouter.classify.HeuristicClassifier;
import dev.llmrouter.config.Documents;
import dev.llmrouter.config.InvalidConfigException;
import dev.llmrouter.engine.FakeClock;
import dev.llmrouter.engine.Fixtures;
import dev.llmrouter.engine.Router;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Json;
import java.io.ByteArrayInputStream;

/**
 * Coverage-guided fuzzing (Jazzer) of the parsers that read text from outside, in memory: a request body,
 * a policy document in YAML or JSON, and an upstream's event stream, OpenAI's and Anthropic's. The only
 * failures allowed are the documented ones. Tagged {@code jazzer}, which the build leaves out (Jazzer 0.24
 * cannot instrument Java 25's own classes and says so at length; the jqwik properties are the bounded fuzz run
 * of every build). To replay the inputs stored under
 * {@code src/test/resources/dev/llmrouter/provider/ParserFuzzTestInputs/<method>/}: {@code mvn -pl router test
 * -DexcludedGroups= -Dtest=ParserFuzzTest}; to fuzz one for its {@code maxDuration}, guided by coverage:
 * {@code JAZZER_FUZZ=1 mvn -pl router test -DexcludedGroups= -Dtest=ParserFuzzTest#<method>}, whose findings
 * Jazzer writes there.
 */
@org.junit.jupiter.api.Tag("jazzer")
class ParserFuzzTest {
    /** Made at the first input, so that Jazzer instruments the classes it loads and sees their coverage. */
    private static Router router;

    @FuzzTest(maxDuration = "60s")
    void requestBody(byte[] body) {
        JsonNode node;
        try {
            node = Json.STRICT.readTree(body);
        } catch (JacksonException | java.io.CharConversionException e) {
            return; // not JSON, or not in an encoding JSON may use
        } catch (java.io.IOException e) {
            throw new AssertionError("an in-memory read failed", e);
        }
        if (router == null) {
            router = Fixtures.router(
                    Fixtures.policy(),
                    new HeuristicClassifier(),
                    new ScriptedProvider(new FakeClock()),
                    new FakeClock());
        }
        if (node instanceof ObjectNode object) {
            try {
                router.explain(OpenAiWire.readRequest(object));
            } catch (IllegalArgumentException e) {
                // a request the router refuses, naming the field
            }
        }
    }

    @FuzzTest(maxDuration = "60s")
    void policyText(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        try {
            PolicyLoader.admit(Documents.parse(text, "fuzzed"), "fuzzed", Fixtures.catalog(), Fixtures.INTENTS);
        } catch (InvalidConfigException e) {
            if (e.errors().isEmpty()) {
                throw new AssertionError("refused without a reason", e);
            }
        }
    }

    @FuzzTest(maxDuration = "60s")
    void eventStream(FuzzedDataProvider data) {
        boolean anthropic = data.consumeBoolean();
        byte[] stream = data.consumeRemainingAsBytes();
        try {
            if (anthropic) {
                new AnthropicStreamState("fuzzed", StreamSink.discarding()).consume(new ByteArrayInputStream(stream));
            } else {
                OpenAiStreamState state = new OpenAiStreamState("fuzzed", StreamSink.discarding());
                state.consume(new ByteArrayInputStream(stream));
                state.toCompletion(new ProviderCall("m", ChatRequest.ofPrompt("hi"), Timeouts.DEFAULT));
            }
        } catch (ProviderFailure e) {
            // an answer the fallback chain can recover from
        }
    }
}
