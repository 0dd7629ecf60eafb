package dev.llmrouter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.config.Documents;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.provider.ScriptedProvider;
import dev.llmrouter.request.ChatRequest;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The builder fails fast with a message that names the wrong setting. */
class RouterBuilderTest {
    private final FakeClock clock = new FakeClock();

    @Test
    void missingCatalogIsNamed() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> Router.builder().policy(Fixtures.policy()).build());
        assertEquals("Router.builder(): catalog is not set", e.getMessage());
    }

    @Test
    void missingPolicyIsNamed() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> Router.builder().catalog(Fixtures.catalog()).build());
        assertEquals("Router.builder(): policy is not set", e.getMessage());
    }

    @Test
    void missingProviderClientIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Router.builder()
                .catalog(Fixtures.catalog())
                .policy(Fixtures.policy())
                .build());
        assertEquals(
                "Router.builder(): no provider client for fake: call provider(name, client) for each provider the"
                        + " catalog uses",
                e.getMessage());
    }

    @Test
    void policyMatchingAnIntentTheClassifierCannotProduceIsRefused() {
        Policy codeRoute = PolicyLoader.admit(
                Documents.parse("""
                        id: p
                        version: 1
                        routes:
                          - name: code
                            match: {intents: [code]}
                          - name: default
                        """, "inline"), "policy inline", Fixtures.catalog(), Fixtures.INTENTS);
        Classifier chatOnly = new Classifier() {
            @Override
            public ClassifierInfo info() {
                return new ClassifierInfo("chat-only", "0");
            }

            @Override
            public Set<String> intents() {
                return Set.of("chat");
            }

            @Override
            public Classification classify(ChatRequest request) {
                throw new UnsupportedOperationException();
            }
        };

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Router.builder()
                .catalog(Fixtures.catalog())
                .policy(codeRoute)
                .classifier(chatOnly)
                .provider("fake", new ScriptedProvider(clock))
                .build());
        assertEquals(
                "Router.builder(): the policy matches intents the classifier chat-only cannot produce: code",
                e.getMessage());
    }

    @Test
    void nullSettingsAreRefusedByName() {
        NullPointerException e =
                assertThrows(NullPointerException.class, () -> Router.builder().clock(null));
        assertEquals("clock", e.getMessage());
    }

    @Test
    void builtRouterExposesItsPolicyCatalogAndClassifier() {
        FixedClassifier classifier = new FixedClassifier(Scenario.EASY);
        Policy policy = Fixtures.policy();
        Router router = Fixtures.router(policy, classifier, new ScriptedProvider(clock), clock);

        assertSame(policy, router.policy());
        assertSame(classifier, router.classifier());
        assertEquals(Fixtures.catalog(), router.catalog());
    }
}
