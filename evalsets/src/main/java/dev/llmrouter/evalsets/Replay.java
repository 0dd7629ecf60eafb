package dev.llmrouter.evalsets;

import dev.llmrouter.classify.Classification;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.classify.ClassifierInfo;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.engine.RouteResult;
import dev.llmrouter.engine.Router;
import dev.llmrouter.gate.AnswerGate;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.Route;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Message;
import dev.llmrouter.trace.DecisionTrace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Replays labelled records through the real {@link Router}: the policy, classifier, cascade and gate run
 * exactly as in serving, and only the provider is replaced by one that answers from the records. Each
 * record's classification is computed once and reused across the runs of a threshold sweep.
 */
public final class Replay {
    private final EvalPair pair;
    private final Memo memo;
    private final AnswerGate gate;
    private final List<LabelledRecord> records;
    private final List<ChatRequest> requests;
    private final ReplayProvider provider;

    public Replay(EvalPair pair, Classifier classifier, AnswerGate gate, List<LabelledRecord> records) {
        this.pair = pair;
        this.memo = new Memo(classifier);
        this.gate = gate;
        this.records = records.stream().filter(r -> pair.outcome(r).isPresent()).toList();
        this.requests = this.records.stream().map(Replay::request).toList();
        Map<String, LabelledRecord> byId = new ConcurrentHashMap<>();
        this.records.forEach(r -> byId.put(key(r), r));
        this.provider = new ReplayProvider(byId, pair.pricing());
    }

    /**
     * Mean wall time of one classification in microseconds, measured as the replay ran (two records
     * classified at once on a 2-core machine; the JIT warms up during the run). A report, not a benchmark.
     */
    public double classifierMicros() {
        long n = memo.calls.sum();
        return n == 0 ? 0 : memo.nanos.sum() / 1000.0 / n;
    }

    /** The pair of the run. */
    public EvalPair pair() {
        return pair;
    }

    /** The records of the run: those with outcomes for both tiers. */
    public List<LabelledRecord> records() {
        return records;
    }

    public List<PairOutcome> outcomes() {
        return records.stream().map(r -> pair.outcome(r).orElseThrow()).toList();
    }

    /** Routes every record under {@code policy}; decisions come back in record order. */
    public List<Decision> run(Policy policy) {
        Router router = Router.builder()
                .catalog(pair.catalog())
                .policy(policy)
                .classifier(memo)
                .gate(gate)
                .provider(EvalPair.PROVIDER, provider)
                .build();
        return java.util.stream.IntStream.range(0, records.size())
                .parallel()
                .mapToObj(i -> decision(records.get(i), router.route(requests.get(i))))
                .toList();
    }

    /** {@code policy} with every route's cascade changed; its hash marks it as a variant. */
    public static Policy variant(Policy policy, String label, UnaryOperator<Route.Cascade> change) {
        List<Route> routes = policy.routes().stream()
                .map(r -> new Route(
                        r.name(),
                        r.match(),
                        r.filter(),
                        r.rank(),
                        r.select(),
                        r.mutate(),
                        r.fallback(),
                        change.apply(r.cascade()),
                        r.watch(),
                        r.explore()))
                .toList();
        return new Policy(
                policy.id(),
                policy.version(),
                policy.defaultRiskClass(),
                policy.riskClasses(),
                routes,
                policy.budgets(),
                Sha256.hex(policy.hash() + "|" + label));
    }

    private Decision decision(LabelledRecord record, RouteResult result) {
        DecisionTrace trace = result.trace();
        Optional<String> served = trace.servedBy();
        double quality = served.map(m -> record.outcomes().get(m).score()).orElse(0.0);
        double cost = 0;
        boolean strongCalled = false;
        Optional<Double> cheapGate = Optional.empty();
        for (DecisionTrace.AttemptView attempt : trace.attempts()) {
            if (attempt.error().isPresent()) {
                continue;
            }
            cost += pair.costOf(attempt.model(), record);
            strongCalled |= attempt.model().equals(pair.strong());
            if (attempt.model().equals(pair.cheap()) && attempt.gate().isPresent() && cheapGate.isEmpty()) {
                cheapGate = Optional.of(attempt.gate().get().score());
            }
        }
        Classification classification = memo.cache.get(key(record));
        double cheapSuccess = classification == null ? 1 : classification.successOf(pair.cheapTier(), pair.cheap());
        double difficulty = 1 - cheapSuccess;
        double gain =
                classification == null ? 0 : classification.successOf(pair.strongTier(), pair.strong()) - cheapSuccess;
        return new Decision(
                trace.route().orElse(""),
                trace.start().orElse(""),
                served,
                strongCalled,
                trace.escalated(),
                quality,
                cost,
                cheapGate,
                difficulty,
                gain);
    }

    static ChatRequest request(LabelledRecord record) {
        List<Message> messages = ChatRequest.userTurns(record.turns(), record.prompt());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(ReplayProvider.RECORD_KEY, key(record));
        metadata.put("category", record.category());
        metadata.put("source", record.source());
        return new ChatRequest(messages, OptionalInt.empty(), false, Map.of(), metadata, "");
    }

    private static String key(LabelledRecord record) {
        return record.location();
    }

    /** Classifies each record once; the classification does not depend on the policy being swept. */
    private static final class Memo implements Classifier {
        private final Classifier inner;
        private final ConcurrentHashMap<String, Classification> cache = new ConcurrentHashMap<>();
        private final java.util.concurrent.atomic.LongAdder nanos = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder calls = new java.util.concurrent.atomic.LongAdder();

        Memo(Classifier inner) {
            this.inner = inner;
        }

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
            String id = request.metadata().get(ReplayProvider.RECORD_KEY);
            return id == null ? timed(request) : cache.computeIfAbsent(id, k -> timed(request));
        }

        private Classification timed(ChatRequest request) {
            long started = System.nanoTime();
            Classification c = inner.classify(request);
            nanos.add(System.nanoTime() - started);
            calls.increment();
            return c;
        }
    }
}
