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
import dev.llmrouter.config.InvalidConfigException;
import dev.llmrouter.engine.DecisionModels;
import dev.llmrouter.engine.Router;
import dev.llmrouter.engine.RouterState;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.provider.ProviderClient;
import dev.llmrouter.provider.ProviderClients;
import dev.llmrouter.provider.SimulatedProvider;
import dev.llmrouter.request.ChatRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

/**
 * What the server routes with: the catalog, one client per provider, and, as one immutable {@link Live}
 * snapshot swapped whole, the policy in force (the router that applies it and the document it was admitted
 * from) and the classifier bundle in force. Changes of either are admitted one at a time; a refused one changes
 * nothing; the models' cooldowns carry over. An accepted change is kept in the state folder, when the settings
 * name one, and comes back at the next start (see {@link StateStore}).
 *
 * <p>A request holds a {@link Lease} on the snapshot it started with: a classifier replaced meanwhile is
 * closed only when the last request that uses it has finished.
 */
final class Engine {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());

    /** The policy and classifier in force: the router that applies them and the documents they came from. */
    record Live(Router router, JsonNode document, Models models) {}

    /**
     * A loaded classifier and gate, where they came from, and how many requests use them: closed once
     * retired (replaced) and no request holds them.
     */
    static final class Models {
        private final DecisionModels loaded;
        private final DecisionModels models;
        private final Optional<Path> bundle;
        private final AtomicInteger holders = new AtomicInteger(1); // the engine's own hold, until retired

        /** {@code models}: what routing uses ({@code loaded}, its classifier timed); {@code loaded} is closed. */
        Models(DecisionModels loaded, DecisionModels models, Optional<Path> bundle) {
            this.loaded = loaded;
            this.models = models;
            this.bundle = bundle;
        }

        /** The bundle folder these were loaded from; empty for the heuristics. */
        Optional<Path> bundle() {
            return bundle;
        }

        boolean hold() {
            while (true) {
                int n = holders.get();
                if (n == 0) {
                    return false; // retired and closed: the caller takes the new snapshot
                }
                if (holders.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (holders.decrementAndGet() == 0) {
                loaded.close();
            }
        }
    }

    /** A request's hold on the snapshot it routes with. */
    static final class Lease implements AutoCloseable {
        private final Live live;
        private boolean closed;

        private Lease(Live live) {
            this.live = live;
        }

        Router router() {
            return live.router();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                live.models().release();
            }
        }
    }

    private final Catalog catalog;
    private final Map<String, ProviderClient> providers;
    private final Optional<StateStore> store;
    private final ServerSettings settings;
    private final Path home;
    private final LongConsumer classified;
    private final AtomicReference<Live> live = new AtomicReference<>();
    private final AtomicReference<Shadow> candidate = new AtomicReference<>();

    private Engine(
            Catalog catalog,
            Map<String, ProviderClient> providers,
            Optional<StateStore> store,
            ServerSettings settings,
            Path home,
            LongConsumer classified) {
        this.catalog = catalog;
        this.providers = providers;
        this.store = store;
        this.settings = settings;
        this.home = home;
        this.classified = classified;
    }

    /** Loads everything the settings name; {@code classified} hears each classification's duration. */
    static Engine load(ServerSettings settings, Map<String, String> env, Path home, LongConsumer classified) {
        Catalog catalog = CatalogLoader.load(settings.catalog());
        Map<String, ProviderClient> providers = new LinkedHashMap<>();
        catalog.providers()
                .forEach((name, spec) -> providers.put(
                        name,
                        settings.providers().equals("simulated")
                                ? new SimulatedProvider(settings.simulated(), tiersOf(catalog, name))
                                : ProviderClients.create(spec, key -> Optional.ofNullable(env.get(key)))));
        Optional<StateStore> store = settings.stateDir().map(StateStore::new);
        Engine engine = new Engine(catalog, Map.copyOf(providers), store, settings, home, classified);
        Models models = engine.startingModels();
        Set<String> intents = models.models.classifier().intents();
        JsonNode configured = Documents.read(settings.policy());
        JsonNode document = store.flatMap(s -> s.acceptedPolicy(engine.configuredPolicy()))
                .filter(stored -> engine.admissible(stored, intents))
                .orElse(configured);
        Policy policy = PolicyLoader.admit(document, settings.policy().toString(), catalog, intents);
        Router.Builder builder = Router.builder()
                .catalog(catalog)
                .policy(policy)
                .models(models.models)
                .state(settings.redis().<RouterState>map(RedisState::new).orElseGet(RouterState::inMemory));
        providers.forEach(builder::provider);
        engine.live.set(new Live(builder.build(), document, models));
        store.ifPresent(s -> s.started(
                policy,
                document,
                settings.policy().toString(),
                models.models.classifier().info(),
                models.bundle()));
        return engine;
    }

    /**
     * The classifier accepted through the admin API and kept in the state folder when it still loads, else the
     * configured one.
     */
    private Models startingModels() {
        Optional<Path> accepted = store.flatMap(s -> s.acceptedClassifier(configuredClassifier()));
        if (accepted.isPresent()) {
            try {
                Models models = load(accepted.get().toString());
                LOG.log(
                        System.Logger.Level.INFO,
                        "using the classifier accepted through the admin API and kept in " + accepted.get());
                return models;
            } catch (RuntimeException e) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "the classifier kept in " + accepted.get() + " no longer loads (" + e.getMessage() + "); using "
                                + settings.classifier());
            }
        }
        try {
            return load(settings.classifier());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("router.classifier: " + e.getMessage(), e);
        }
    }

    private Models load(String choice) {
        DecisionModels loaded = DecisionModels.load(choice, home, Device.parse(settings.device()));
        Optional<Path> bundle = choice.equals(DecisionModels.HEURISTIC)
                ? Optional.empty()
                : Optional.of(home.resolve(choice).toAbsolutePath().normalize());
        return new Models(loaded, new DecisionModels(timed(loaded.classifier(), classified), loaded.gate()), bundle);
    }

    /** Whether a stored policy may still be used with this catalog and classifier; says why when not. */
    private boolean admissible(JsonNode stored, Set<String> intents) {
        try {
            PolicyLoader.admit(stored, "stored policy", catalog, intents);
            LOG.log(
                    System.Logger.Level.INFO,
                    "using the policy accepted through the admin API and kept in "
                            + store.get().dir() + " (delete accepted-policy.json there to start from "
                            + settings.policy() + ")");
            return true;
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "the policy kept in " + store.get().dir() + " is no longer admitted (" + e.getMessage()
                            + "); using " + settings.policy());
            return false;
        }
    }

    private String configuredPolicy() {
        return StateStore.fingerprint(settings.policy());
    }

    private String configuredClassifier() {
        return settings.classifier().equals(DecisionModels.HEURISTIC)
                ? DecisionModels.HEURISTIC
                : settings.classifier() + "|" + StateStore.fingerprint(home.resolve(settings.classifier()));
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
        Live current = live.get();
        Policy policy = PolicyLoader.admit(
                document,
                "policy",
                catalog,
                current.models().models.classifier().intents());
        Live next = new Live(current.router().withPolicy(policy), document, current.models());
        store.ifPresent(s -> s.acceptPolicy(document, policy, configuredPolicy(), keyFingerprint));
        live.set(next);
        return next;
    }

    /**
     * Loads the bundle in {@code folder} (a path on the server's disk), admits it and makes it the classifier
     * in force: its cards and files must agree (hashes, feature spec), the policy in force must admit its
     * intents, and it must predict success for every tier the one in force does that the catalog's models use.
     * A refused bundle changes nothing: every reason is in the {@link IllegalArgumentException}. The one
     * replaced is closed once no request holds it.
     */
    synchronized Live replaceClassifier(Path folder, String keyFingerprint) {
        Live current = live.get();
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("no bundle folder at " + folder + " on the router's disk");
        }
        Models next = load(folder.toString());
        try {
            List<String> reasons = new ArrayList<>(missingTiers(current, next));
            Policy policy = null;
            try {
                policy = PolicyLoader.admit(
                        current.document(),
                        "policy in force",
                        catalog,
                        next.models.classifier().intents());
            } catch (InvalidConfigException e) {
                reasons.addAll(e.errors());
            }
            if (!reasons.isEmpty()) {
                throw new InvalidConfigException("classifier " + folder, reasons);
            }
            Live replaced =
                    new Live(current.router().withModels(next.models).withPolicy(policy), current.document(), next);
            store.ifPresent(s -> s.acceptClassifier(
                    folder, next.models.classifier().info(), configuredClassifier(), keyFingerprint));
            live.set(replaced);
            current.models().release();
            return replaced;
        } catch (RuntimeException e) {
            next.release();
            throw e;
        }
    }

    /** The tiers the catalog's models use that the classifier in force predicts and {@code next} does not. */
    private List<String> missingTiers(Live current, Models next) {
        Set<Integer> used = new TreeSet<>();
        catalog.models().forEach(m -> used.add(m.tier()));
        Set<Integer> before = tiers(current.models().models.classifier());
        Set<Integer> after = tiers(next.models.classifier());
        List<String> out = new ArrayList<>();
        for (int tier : used) {
            if (before.contains(tier) && !after.contains(tier)) {
                out.add("the bundle predicts no success for tier " + tier + ", which the catalog's models use and"
                        + " the classifier in force predicts (it predicts tiers " + after + ")");
            }
        }
        return out;
    }

    private static Set<Integer> tiers(Classifier classifier) {
        Set<Integer> out = new TreeSet<>();
        Classification c = classifier.classify(ChatRequest.ofPrompt("hello"));
        out.addAll(c.successByTier().keySet());
        return out;
    }

    /**
     * Starts a candidate deciding {@code share} of the requests beside the live router (replacing any running
     * one): the bundle in {@code folder} (else the live classifier) with {@code policyDocument} (else the policy
     * in force), admitted as a live change would be. Throws the admission errors and changes nothing if refused.
     */
    synchronized Shadow startCandidate(
            Optional<JsonNode> policyDocument, Optional<Path> folder, double share, Optional<Canary.Settings> canary) {
        Live current = live.get();
        if (folder.isPresent() && !Files.isDirectory(folder.get())) {
            throw new IllegalArgumentException("no bundle folder at " + folder.get() + " on the router's disk");
        }
        Models models;
        if (folder.isPresent()) {
            models = load(folder.get().toString());
        } else if (current.models().hold()) {
            models = current.models(); // shared with the live router: held until the candidate stops
        } else {
            throw new IllegalStateException("the classifier in force was replaced meanwhile: try again");
        }
        try {
            List<String> reasons = new ArrayList<>(folder.isPresent() ? missingTiers(current, models) : List.of());
            Policy policy = null;
            try {
                policy = PolicyLoader.admit(
                        policyDocument.orElse(current.document()),
                        policyDocument.isPresent() ? "candidate policy" : "policy in force",
                        catalog,
                        models.models.classifier().intents());
            } catch (InvalidConfigException e) {
                reasons.addAll(e.errors());
            }
            if (!reasons.isEmpty()) {
                throw new InvalidConfigException("candidate", reasons);
            }
            Policy admitted = policy;
            Shadow started = new Shadow(
                    current.router().withModels(models.models).withPolicy(policy),
                    models,
                    folder,
                    policyDocument,
                    canary.map(settings -> new Canary(settings, admitted)),
                    share,
                    java.time.Instant.now());
            if (canary.isPresent()) {
                // the traces a canary serves name its versions: keep them to decide those traces again
                store.ifPresent(s -> s.canary(
                        admitted,
                        policyDocument.orElse(current.document()),
                        models.models.classifier().info(),
                        folder,
                        "canary"));
            }
            stopCandidate();
            candidate.set(started);
            return started;
        } catch (RuntimeException e) {
            models.release();
            throw e;
        }
    }

    /** Stops the candidate, if one runs; returns it with what it found. */
    synchronized Optional<Shadow> stopCandidate() {
        Shadow stopped = candidate.getAndSet(null);
        if (stopped != null) {
            stopped.models().release();
        }
        return Optional.ofNullable(stopped);
    }

    /**
     * Makes the canary candidate live (its bundle, then its policy, each admitted as a live change, kept and
     * recorded in the history) and stops it; refused unless it is {@code running}, a canary that held its
     * guardrails for its requests.
     */
    synchronized Live promote(Shadow running, String keyFingerprint) {
        if (candidate.get() != running) {
            throw new IllegalStateException("the candidate changed meanwhile");
        }
        if (running.canary().isEmpty() || !(running.canary().get().state() instanceof Canary.Ready)) {
            throw new IllegalStateException("only a canary whose guardrails held for its "
                    + running.canary()
                            .map(c -> c.settings().promoteAfter() + " ")
                            .orElse("")
                    + "requests can be promoted");
        }
        Live promoted = live.get();
        if (running.bundle().isPresent()) {
            promoted = replaceClassifier(running.bundle().get(), keyFingerprint);
        }
        if (running.policyDocument().isPresent()) {
            promoted = admit(running.policyDocument().get(), keyFingerprint);
        }
        stopCandidate();
        return promoted;
    }

    /** Stops {@code running} if it is still the candidate (a canary rolled back). */
    synchronized boolean rollBack(Shadow running) {
        if (candidate.get() != running) {
            return false;
        }
        stopCandidate();
        return true;
    }

    /** The candidate deciding beside the live router, if one runs. */
    Optional<Shadow> candidate() {
        return Optional.ofNullable(candidate.get());
    }

    /** The policy and classifier in force, with their router. */
    Live live() {
        return live.get();
    }

    /** A hold on the snapshot in force, for one request; close it when the request is done. */
    Lease lease() {
        while (true) {
            Live l = live.get();
            if (l.models().hold()) {
                return new Lease(l);
            }
        }
    }

    Router router() {
        return live.get().router();
    }

    Catalog catalog() {
        return catalog;
    }

    /** The state folder, when the settings name one. */
    Optional<StateStore> store() {
        return store;
    }
}
