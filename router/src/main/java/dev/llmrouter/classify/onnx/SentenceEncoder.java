package dev.llmrouter.classify.onnx;

import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.llmrouter.features.FeatureExtractor;
import dev.llmrouter.features.FeatureSpec;
import dev.llmrouter.features.TextEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small sentence encoder (MiniLM or BGE small, quantised) run through DJL's ONNX Runtime engine, with the
 * Hugging Face tokenizer that belongs to it. Both files come from langchain4j's Maven jars on the classpath
 * ({@code <name>.onnx} and {@code <name>-tokenizer.json}). One instance per encoder and process, shared by
 * the classifier and the gate; thread-safe. The most recent embeddings are kept, so a prompt seen again
 * (training epochs, cross-validation folds, a retried request) is encoded once.
 */
public final class SentenceEncoder implements TextEncoder {
    private static final System.Logger LOG = System.getLogger(SentenceEncoder.class.getName());
    private static final Map<FeatureSpec.Encoder, SentenceEncoder> SHARED = new ConcurrentHashMap<>();
    /** Embeddings kept: 65,536 of 384 floats is about 100 MB at most. */
    static final int CACHE_ENTRIES = 65_536;

    private final FeatureSpec.Encoder spec;
    private final HuggingFaceTokenizer tokenizer;
    private final ZooModel<NDList, NDList> model;
    private final BlockingQueue<Predictor<NDList, NDList>> predictors;
    private final boolean typeIds;
    private final Map<String, float[]> cache;

    private SentenceEncoder(FeatureSpec.Encoder spec, HuggingFaceTokenizer tokenizer, ZooModel<NDList, NDList> model) {
        this.spec = spec;
        this.tokenizer = tokenizer;
        this.model = model;
        int pool = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.predictors = new ArrayBlockingQueue<>(pool);
        for (int i = 0; i < pool; i++) {
            predictors.add(model.newPredictor());
        }
        this.typeIds =
                model.describeInput() != null && model.describeInput().keys().contains("token_type_ids");
        this.cache = java.util.Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                return size() > CACHE_ENTRIES;
            }
        });
    }

    /** The feature extractor of {@code spec}, with its sentence encoder loaded (once a process) if it names one. */
    public static FeatureExtractor extractorFor(FeatureSpec spec, Device device) {
        return new FeatureExtractor(
                spec,
                !spec.encoder().present()
                        ? Optional.empty()
                        : spec.encoder().pooling().equals("static")
                                ? Optional.of(StaticEncoder.shared(spec.encoder()))
                                : Optional.of(shared(spec.encoder(), device)));
    }

    /** The process's instance of an encoder, loaded on first use. */
    public static SentenceEncoder shared(FeatureSpec.Encoder encoder, Device device) {
        return SHARED.computeIfAbsent(encoder, e -> load(e, device));
    }

    private static SentenceEncoder load(FeatureSpec.Encoder spec, Device device) {
        String name = spec.name();
        try (InputStream onnx = resource(name + ".onnx");
                InputStream json = resource(name + "-tokenizer.json")) {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(
                    json,
                    Map.of(
                            "maxLength", String.valueOf(spec.maxTokens()),
                            "truncation", "true",
                            "padding", "false"));
            Path file = Files.createTempFile("llm-router-" + name, ".onnx");
            file.toFile().deleteOnExit();
            Files.copy(onnx, file, StandardCopyOption.REPLACE_EXISTING);
            return new SentenceEncoder(spec, tokenizer, open(file, device));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the sentence encoder " + name + ": " + e.getMessage(), e);
        }
    }

    static InputStream resource(String name) {
        InputStream in = SentenceEncoder.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("the sentence encoder file " + name + " is not on the classpath: an"
                    + " encoder's model and tokenizer come from its langchain4j-embeddings jar, a dependency of the router"
                    + " module; a static encoder's table from the router's jar (models/static-table.sh writes it)");
        }
        return in;
    }

    static ZooModel<NDList, NDList> open(Path onnx, Device device) {
        OnnxNatives.prepare();
        boolean gpu = device == Device.GPU || device == Device.AUTO && OnnxModel.gpuVisible();
        try {
            return Criteria.builder()
                    .setTypes(NDList.class, NDList.class)
                    .optModelPath(onnx)
                    .optEngine("OnnxRuntime")
                    .optDevice(gpu ? ai.djl.Device.gpu() : ai.djl.Device.cpu())
                    .build()
                    .loadModel();
        } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
            if (gpu) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "cannot run the sentence encoder on a GPU (" + e.getMessage() + "); running it on the CPU");
                return open(onnx, Device.CPU);
            }
            throw new IllegalStateException("ONNX Runtime cannot load the sentence encoder: " + e.getMessage(), e);
        }
    }

    @Override
    public FeatureSpec.Encoder spec() {
        return spec;
    }

    @Override
    public float[] encode(String text) {
        float[] cached = cache.get(text);
        if (cached != null) {
            return cached;
        }
        float[] embedding = run(tokenizer.encode(text));
        cache.put(text, embedding);
        return embedding;
    }

    private float[] run(Encoding encoding) {
        long[] ids = encoding.getIds();
        long[] mask = encoding.getAttentionMask();
        int n = ids.length;
        Predictor<NDList, NDList> predictor = take();
        try (NDManager manager = model.getNDManager().newSubManager()) {
            NDList input = new NDList(named(manager.create(ids, new Shape(1, n)), "input_ids"));
            input.add(named(manager.create(mask, new Shape(1, n)), "attention_mask"));
            if (typeIds) {
                input.add(named(manager.create(encoding.getTypeIds(), new Shape(1, n)), "token_type_ids"));
            }
            float[] hidden = predictor.predict(input).get(0).toFloatArray();
            return pool(hidden, mask, n);
        } catch (TranslateException e) {
            throw new IllegalStateException(spec.name() + ": ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            predictors.add(predictor);
        }
    }

    /** Mean over the attended tokens, or the first ([CLS]) token's vector; then unit L2 norm. */
    private float[] pool(float[] hidden, long[] mask, int tokens) {
        int d = spec.dimensions();
        float[] out = new float[d];
        if (spec.pooling().equals("cls")) {
            System.arraycopy(hidden, 0, out, 0, d);
        } else {
            int counted = 0;
            for (int t = 0; t < tokens; t++) {
                if (mask[t] == 0) {
                    continue;
                }
                counted++;
                for (int k = 0; k < d; k++) {
                    out[k] += hidden[t * d + k];
                }
            }
            for (int k = 0; k < d; k++) {
                out[k] /= Math.max(1, counted);
            }
        }
        return unitLength(out);
    }

    /** {@code v} scaled to unit L2 norm in place (zeros stay zeros), returned. */
    static float[] unitLength(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        float scale = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0;
        for (int k = 0; k < v.length; k++) {
            v[k] *= scale;
        }
        return v;
    }

    static NDArray named(NDArray array, String name) {
        array.setName(name);
        return array;
    }

    private Predictor<NDList, NDList> take() {
        try {
            return predictors.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the sentence encoder", e);
        }
    }
}
