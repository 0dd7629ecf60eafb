package dev.llmrouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.CatalogLoader;
import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.config.Documents;
import dev.llmrouter.engine.DecisionModels;
import dev.llmrouter.engine.Router;
import dev.llmrouter.gate.AnswerGate;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.provider.ProviderClient;
import dev.llmrouter.provider.ProviderClients;
import dev.llmrouter.provider.SimulatedProvider;
import dev.llmrouter.request.ChatRequest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

/**
 * What the server routes with: the catalog, the classifier and gate (loaded once), one client per provider,
 * and the policy in force as one immutable {@link Live} snapshot (the router and the document it was admitted
 * from), swapped whole. Policy changes are admitted one at a time; a refused one changes nothing; the models'
 * cooldowns carry over. An accepted change is kept in the policy store, when the settings name one, and
 * comes back at the next start.
 */
final class Engine {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());

    /** The policy in force: the router that applies it and the document it was admitted from. */
    record Live(Router router, JsonNode document) {}

    private final Catalog catalog;
    private final Classifier classifier;
    private final AnswerGate gate;
    private final Map<String, ProviderClient> providers;
    private final Optional<PolicyStore> store;
    private final AtomicReference<Live> live = new AtomicReference<>();

    private Engine(
            Catalog catalog,
            Classifier classifier,
            AnswerGate gate,
            Map<String, ProviderClient> providers,
            Optional<PolicyStore> store) {
        this.catalog = catalog;
        this.classifier = classifier;
        this.gate = gate;
        this.providers = providers;
        this.store = store;
    }

    /** Loads everything the settings name; {@code classified} hears each classification's duration. */
    static Engine load(ServerSettings settings, Map<String, String> env, Path home, LongConsumer classified) {
        Catalog catalog = CatalogLoader.load(settings.catalog());
        DecisionModels models;
        try {
            models = DecisionModels.load(settings.classifier(), home, Device.parse(settings.device()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("router.classifier: " + e.getMessage(), e);
        }
        Classifier classifier = models.classifier();
        AnswerGate gate = models.gate();
        Map<String, ProviderClient> providers = new LinkedHashMap<>();
        catalog.providers()
                .forEach((name, spec) -> providers.put(
                        name,
                        settings.providers().equals("simulated")
                                ? new SimulatedProvider(settings.simulated(), tiersOf(catalog, name))
                                : ProviderClients.create(spec, key -> Optional.ofNullable(env.get(key)))));
        Optional<PolicyStore> store = settings.policyStore().map(f -> new PolicyStore(f, settings.policy()));
        Engine engine = new Engine(catalog, timed(classifier, classified), gate, Map.copyOf(providers), store);
        JsonNode configured = Documents.read(settings.policy());
        JsonNode document = store.flatMap(PolicyStore::stored)
                .filter(stored -> engine.admissible(stored, settings))
                .orElse(configured);
        engine.use(PolicyLoader.admit(document, settings.policy().toString(), catalog, classifier.intents()), document);
        return engine;
    }

    /** Whether a stored policy may still be used with this catalog and classifier; says why when not. */
    private boolean admissible(JsonNode stored, ServerSettings settings) {
        try {
            PolicyLoader.admit(stored, "stored policy", catalog, classifier.intents());
            LOG.log(
                    System.Logger.Level.INFO,
                    "using the policy accepted through the admin API and kept in "
                            + settings.policyStore().get() + " (delete it to start from " + settings.policy() + ")");
            return true;
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "the policy kept in " + settings.policyStore().get() + " is no longer admitted (" + e.getMessage()
                            + "); using " + settings.policy());
            return false;
        }
    }

    private static Map<String, Integer> tiersOf(Catalog catalog, String provider) {
        return catalog.models().stream()
                .filter(m -> m.provider().equals(provider))
                .collect(Collectors.toMap(ModelSpec::upstreamId, ModelSpec::tier, (a, b) -> a));
    }

    private static Classifier timed(Classifier inner, LongConsumer classified) {
        return new Classifier() {
            @Override
            public ClassifierInfo info() {
                return inner.info();
            }

            @Override
            public Set<String> intents() {
                return inner.intents();
            }

            @Override
            public Classification classify(ChatRequest request) {
                long started = System.nanoTime();
                Classification c = inner.classify(request);
                classified.accept(System.nanoTime() - started);
                return c;
            }
        };
    }

    /**
     * Admits {@code document} as the new policy and keeps it in the store; throws the admission errors and
     * keeps the old one if refused. Changes are made one at a time, so the live snapshot and the store always
     * hold the same, last accepted, policy.
     */
    synchronized Live admit(JsonNode document, String keyFingerprint) {
        Policy policy = PolicyLoader.admit(document, "policy", catalog, classifier.intents());
        Live next = next(policy, document);
        store.ifPresent(s -> s.keep(document, keyFingerprint));
        live.set(next);
        return next;
    }

    private void use(Policy policy, JsonNode document) {
        live.set(next(policy, document));
    }

    private Live next(Policy policy, JsonNode document) {
        Live current = live.get();
        if (current != null) {
            return new Live(current.router().withPolicy(policy), document);
        }
        Router.Builder builder = Router.builder()
                .catalog(catalog)
                .policy(policy)
                .classifier(classifier)
                .gate(gate);
        providers.forEach(builder::provider);
        return new Live(builder.build(), document);
    }

    /** The policy in force, with its router. */
    Live live() {
        return live.get();
    }

    Router router() {
        return live.get().router();
    }

    Catalog catalog() {
        return catalog;
    }
}
