package dev.llmrouter.server;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.CatalogLoader;
import dev.llmrouter.catalog.ModelSpec;
import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.classify.HeuristicClassifier;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.classify.onnx.OnnxAnswerGate;
import dev.llmrouter.classify.onnx.OnnxClassifier;
import dev.llmrouter.engine.Router;
import dev.llmrouter.gate.AnswerGate;
import dev.llmrouter.gate.HeuristicAnswerGate;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.provider.ProviderClient;
import dev.llmrouter.provider.ProviderClients;
import dev.llmrouter.provider.SimulatedProvider;
import dev.llmrouter.request.ChatRequest;
import java.nio.file.Files;
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
 * and the current {@link Router}. A new policy replaces the router atomically; a refused one changes
 * nothing; the models' cooldowns carry over to the new policy.
 */
final class Engine {
    private final Catalog catalog;
    private final Classifier classifier;
    private final AnswerGate gate;
    private final Map<String, ProviderClient> providers;
    private final AtomicReference<Router> router = new AtomicReference<>();
    /** The id the next trace on this thread takes: the server names each request's trace before routing it. */
    private static final ThreadLocal<String> NEXT_TRACE_ID = new ThreadLocal<>();

    private Engine(Catalog catalog, Classifier classifier, AnswerGate gate, Map<String, ProviderClient> providers) {
        this.catalog = catalog;
        this.classifier = classifier;
        this.gate = gate;
        this.providers = providers;
    }

    /** Loads everything the settings name; {@code classified} hears each classification's duration. */
    static Engine load(ServerSettings settings, Map<String, String> env, Path home, LongConsumer classified) {
        Catalog catalog = CatalogLoader.load(settings.catalog());
        Classifier classifier;
        AnswerGate gate;
        if (settings.classifier().equals("heuristic")) {
            classifier = new HeuristicClassifier();
            gate = new HeuristicAnswerGate();
        } else {
            Path bundle = home.resolve(settings.classifier());
            if (!Files.isDirectory(bundle)) {
                throw new IllegalArgumentException("router.classifier: no classifier bundle at " + bundle
                        + " (make one with ./llm-router train, or say 'heuristic')");
            }
            Device device = Device.parse(settings.device());
            classifier = OnnxClassifier.load(bundle, device);
            gate = OnnxAnswerGate.load(bundle, device).<AnswerGate>map(g -> g).orElseGet(HeuristicAnswerGate::new);
        }
        Map<String, ProviderClient> providers = new LinkedHashMap<>();
        catalog.providers()
                .forEach((name, spec) -> providers.put(
                        name,
                        settings.providers().equals("simulated")
                                ? new SimulatedProvider(settings.simulated(), tiersOf(catalog, name))
                                : ProviderClients.create(spec, key -> Optional.ofNullable(env.get(key)))));
        Engine engine = new Engine(catalog, timed(classifier, classified), gate, Map.copyOf(providers));
        engine.use(PolicyLoader.load(settings.policy(), catalog, classifier.intents()));
        return engine;
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

    /** Admits {@code document} as the new policy; throws the admission errors and keeps the old one if refused. */
    Policy admit(com.fasterxml.jackson.databind.JsonNode document) {
        Policy policy = PolicyLoader.admit(document, "policy", catalog, classifier.intents());
        use(policy);
        return policy;
    }

    private void use(Policy policy) {
        Router current = router.get();
        if (current != null) {
            router.set(current.withPolicy(policy));
            return;
        }
        Router.Builder builder = Router.builder()
                .catalog(catalog)
                .policy(policy)
                .classifier(classifier)
                .gate(gate)
                .traceIds(() -> {
                    // taken once: a connection's thread serves many requests, and each trace needs its own id
                    String id = NEXT_TRACE_ID.get();
                    NEXT_TRACE_ID.remove();
                    return id != null ? id : java.util.UUID.randomUUID().toString();
                });
        providers.forEach(builder::provider);
        router.set(builder.build());
    }

    /** A fresh trace id, which the next trace recorded on this thread takes. */
    static String nameNextTrace() {
        String id = java.util.UUID.randomUUID().toString();
        NEXT_TRACE_ID.set(id);
        return id;
    }

    Router router() {
        return router.get();
    }

    Catalog catalog() {
        return catalog;
    }
}
