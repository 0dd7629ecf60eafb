package dev.llmrouter.bench;

import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.catalog.CatalogLoader;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.classify.onnx.Device;
import dev.llmrouter.engine.DecisionModels;
import dev.llmrouter.engine.Router;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.policy.PolicyLoader;
import dev.llmrouter.provider.ProviderClient;
import dev.llmrouter.provider.ProviderFailure;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Message;
import dev.llmrouter.trace.DecisionTrace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The router's decision overhead: classify, filter, rank and select over the shipped catalog and policy,
 * with no model called ({@link Router#explain}), for a short prompt, an MMLU-length one and a follow-up to it, with the
 * heuristic and with the learned ONNX classifier ({@code -p bundle=DIR} picks another bundle than
 * {@code models/default}, e.g. one trained with {@code --features words+minilm}). Each call numbers its
 * prompt, so a sentence encoder's cache never answers. {@code Mode.SampleTime} reports percentiles.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Dai.djl.offline=true", "--enable-native-access=ALL-UNNAMED"})
public class DecisionBenchmark {
    static final String SHORT = "What is the capital of France?";
    static final String MMLU =
            "A 45-year-old man presents with a 3-day history of fever, productive cough and pleuritic"
                    + " chest pain. Examination shows dullness to percussion and bronchial breath sounds over the right lower"
                    + " lobe. A chest radiograph confirms consolidation. Sputum Gram stain shows lancet-shaped Gram-positive"
                    + " diplococci in pairs. Which of the following is the most appropriate initial antibiotic therapy for"
                    + " this outpatient without comorbidities?\nA. Amoxicillin\nB. Vancomycin\nC. Ciprofloxacin\n"
                    + "D. Metronidazole\nAnswer:";

    @Param({"heuristic", "onnx"})
    public String classifier;

    /**
     * {@code short}, {@code mmlu}, {@code followup} (a short question after the MMLU-length one and its answer:
     * the learned classifier reads the earlier turn too), or {@code chars:N}: a document of N characters
     * followed by a question.
     */
    @Param({"short", "mmlu"})
    public String prompt;

    /** The learned classifier's bundle, relative to the repository or absolute. */
    @Param({"models/default"})
    public String bundle;

    private Router router;
    private String text;
    private List<Message> before = List.of();
    private long calls;
    private DecisionModels models;

    @Setup(Level.Trial)
    public void setUp() {
        Path home = Path.of(System.getProperty("llmrouter.home", "."));
        Catalog catalog = CatalogLoader.load(home.resolve("config/catalog.yaml"));
        models = DecisionModels.load(classifier.equals("onnx") ? bundle : DecisionModels.HEURISTIC, home, Device.CPU);
        Classifier loaded = models.classifier();
        Policy policy = PolicyLoader.load(home.resolve("config/policy.yaml"), catalog, loaded.intents());
        ProviderClient none = new ProviderClient() {
            @Override
            public dev.llmrouter.provider.Completion complete(dev.llmrouter.provider.ProviderCall call)
                    throws ProviderFailure {
                throw new IllegalStateException("the benchmark calls no model");
            }

            @Override
            public dev.llmrouter.provider.Completion stream(
                    dev.llmrouter.provider.ProviderCall call, dev.llmrouter.provider.StreamSink sink)
                    throws ProviderFailure {
                throw new IllegalStateException("the benchmark calls no model");
            }
        };
        Router.Builder builder =
                Router.builder().catalog(catalog).policy(policy).models(models);
        catalog.providers().keySet().forEach(name -> builder.provider(name, none));
        router = builder.build();
        text = switch (prompt) {
            case "short" -> SHORT;
            case "mmlu" -> MMLU;
            case "followup" -> {
                before = List.of(Message.of("user", MMLU), Message.of("assistant", "A. Amoxicillin"));
                yield "Why not vancomycin?";
            }
            default -> document(Integer.parseInt(prompt.substring(prompt.indexOf(':') + 1)));
        };
    }

    /** A deterministic document of {@code chars} characters (varied words, numbers and lines), then a question. */
    static String document(int chars) {
        String[] words = MMLU.split("\\s+");
        java.util.Random random = new java.util.Random(42);
        StringBuilder out = new StringBuilder(chars + 64);
        while (out.length() < chars) {
            out.append(words[random.nextInt(words.length)]).append(random.nextInt(20) == 0 ? '\n' : ' ');
            if (random.nextInt(30) == 0) {
                out.append(random.nextInt(10_000)).append(' ');
            }
        }
        out.setLength(chars);
        return out + "\n\nSummarise the document above in three sentences.";
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        models.close();
    }

    @Benchmark
    public DecisionTrace decide() {
        if (before.isEmpty()) {
            return router.explain(ChatRequest.ofPrompt(text + " #" + calls++));
        }
        List<Message> messages = new ArrayList<>(before);
        messages.add(Message.of("user", text + " #" + calls++));
        return router.explain(new ChatRequest(messages, OptionalInt.empty(), false, Map.of(), Map.of(), ""));
    }
}
