package dev.llmrouter.classify.onnx;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.llmrouter.config.Sha256;
import dev.llmrouter.features.FeatureSpec;
import dev.llmrouter.features.ModelCard;
import dev.llmrouter.features.SparseVector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One exported classifier, loaded once through DJL's ONNX Runtime engine: its card, the map from the
 * feature space to its input columns, and a small pool of predictors shared by all threads. Refuses a model
 * whose card does not match its ONNX file or whose feature spec differs from the running extractor's.
 */
public final class OnnxModel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OnnxModel.class.getName());

    private final ModelCard card;
    private final int[] columnOf;
    private final int width;
    private final boolean sparse;
    private final ZooModel<NDList, NDList> model;
    private final BlockingQueue<Predictor<NDList, NDList>> predictors;

    private OnnxModel(ModelCard card, int[] columnOf, int width, ZooModel<NDList, NDList> model, int pool) {
        this.card = card;
        this.columnOf = columnOf;
        this.width = width;
        this.model = model;
        this.sparse =
                model.describeInput() != null && model.describeInput().keys().contains("indices");
        this.predictors = new ArrayBlockingQueue<>(pool);
        for (int i = 0; i < pool; i++) {
            predictors.add(model.newPredictor());
        }
    }

    /** Loads {@code <dir>/<name>.onnx} with its card {@code <dir>/<name>.json}. */
    public static OnnxModel load(Path dir, String name, FeatureSpec spec, Device device) {
        Path onnx = dir.resolve(name + ".onnx");
        ModelCard card = ModelCard.read(dir.resolve(name + ".json"));
        String actual;
        try {
            actual = Sha256.hex(Files.readAllBytes(onnx));
        } catch (IOException e) {
            throw new IllegalArgumentException(onnx + ": cannot read the model: " + e.getMessage(), e);
        }
        if (!actual.equals(card.onnxSha256())) {
            throw new IllegalArgumentException(onnx + ": sha256 " + actual + " differs from its card's "
                    + card.onnxSha256() + ": the model file and its card do not belong together; export them again");
        }
        if (!spec.hash().equals(card.featureSpecHash())) {
            throw new IllegalArgumentException(name + " was trained on features '" + card.featureSpec() + "' (sha256 "
                    + card.featureSpecHash() + "), but this router extracts '" + spec.canonical() + "' (sha256 "
                    + spec.hash() + "): retrain the model with this version, or run the version it was trained with");
        }
        BitSet columns = card.columnSet();
        int[] columnOf = new int[card.kind().equals("gate") ? spec.gateWidth() : spec.width()];
        Arrays.fill(columnOf, -1);
        int n = 0;
        for (int i = columns.nextSetBit(0); i >= 0; i = columns.nextSetBit(i + 1)) {
            if (i >= columnOf.length) {
                throw new IllegalArgumentException(name + ": column " + i + " is outside the feature space");
            }
            columnOf[i] = n++;
        }
        return new OnnxModel(
                card,
                columnOf,
                n,
                open(onnx, device),
                Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    private static ZooModel<NDList, NDList> open(Path onnx, Device device) {
        OnnxNatives.prepare();
        boolean gpu = device == Device.GPU || device == Device.AUTO && gpuVisible();
        if (gpu) {
            try {
                return criteria(onnx, ai.djl.Device.gpu()).loadModel();
            } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "cannot run " + onnx.getFileName() + " on a GPU (" + e.getMessage()
                                + "); running it on the CPU");
            }
        }
        try {
            return criteria(onnx, ai.djl.Device.cpu()).loadModel();
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IllegalArgumentException(onnx + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean gpuVisible() {
        try {
            return Engine.getEngine("OnnxRuntime").getGpuCount() > 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Criteria<NDList, NDList> criteria(Path onnx, ai.djl.Device device) {
        return Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(onnx)
                .optEngine("OnnxRuntime")
                .optDevice(device)
                // these graphs are a few gathers and small products: one thread runs them faster than a
                // pool that must wake and join, and concurrent requests already use every core
                .optOption("intraOpNumThreads", "1")
                .optOption("interOpNumThreads", "1")
                .build();
    }

    public ModelCard card() {
        return card;
    }

    /** The output probabilities for one feature vector, in the order of {@link ModelCard#labels()}. */
    public float[] predict(SparseVector features) {
        return predictAll(features).values().iterator().next();
    }

    /**
     * Every output of the graph (a combined classifier has one a model), by output name, in graph order. A
     * graph with {@code indices} and {@code values} inputs (the combined classifier) gets the non-zero columns
     * only; a graph with one dense {@code input} (Tribuo's own export) gets the whole row.
     */
    public java.util.Map<String, float[]> predictAll(SparseVector features) {
        Predictor<NDList, NDList> predictor = take();
        try (NDManager manager = model.getNDManager().newSubManager()) {
            java.util.Map<String, float[]> outputs = new java.util.LinkedHashMap<>();
            for (NDArray output :
                    predictor.predict(sparse ? sparseInput(features, manager) : denseInput(features, manager))) {
                outputs.put(output.getName(), output.toFloatArray());
            }
            return outputs;
        } catch (TranslateException e) {
            throw new IllegalStateException(card.name() + ": ONNX Runtime failed: " + e.getMessage(), e);
        } finally {
            predictors.add(predictor);
        }
    }

    /**
     * How much of a request's hashed word and character features this model learned a weight for: the share
     * of their squared values (each group is L2-normalised) that falls on the model's columns. The dense
     * counts and embeddings are left out, since every request has them. 1 when the request has no hashed
     * feature at all.
     */
    public double coverage(SparseVector features, FeatureSpec spec) {
        return coverage(features, spec, 0);
    }

    /**
     * The same for the one text's features that lie from {@code offset} to {@code offset + spec.width()} in a
     * longer vector (an answer gate's: the answer checks, the answer's features, the prompt's).
     */
    public double coverage(SparseVector features, FeatureSpec spec, int offset) {
        int[] idx = features.indices();
        float[] val = features.values();
        double known = 0;
        double total = 0;
        for (int i = 0; i < idx.length; i++) {
            int own = idx[i] - offset;
            if (own >= 0 && own < spec.width() && !spec.dense(own)) {
                double mass = (double) val[i] * val[i];
                total += mass;
                known += columnOf[idx[i]] >= 0 ? mass : 0;
            }
        }
        return total == 0 ? 1 : known / total;
    }

    private NDList denseInput(SparseVector features, NDManager manager) {
        float[] input = new float[width];
        int[] idx = features.indices();
        float[] val = features.values();
        for (int i = 0; i < idx.length; i++) {
            int column = columnOf[idx[i]];
            if (column >= 0) {
                input[column] = val[i];
            }
        }
        NDArray x = manager.create(input, new Shape(1, width));
        x.setName("input");
        return new NDList(x);
    }

    private NDList sparseInput(SparseVector features, NDManager manager) {
        int[] idx = features.indices();
        float[] val = features.values();
        // one zero entry at least: ONNX Runtime refuses an empty dimension, and a zero adds nothing
        long[] columns = new long[Math.max(1, idx.length)];
        float[] values = new float[columns.length];
        int n = 0;
        for (int i = 0; i < idx.length; i++) {
            int column = columnOf[idx[i]];
            if (column >= 0) {
                columns[n] = column;
                values[n++] = val[i];
            }
        }
        n = Math.max(1, n);
        NDArray indices = manager.create(n == columns.length ? columns : Arrays.copyOf(columns, n), new Shape(n));
        indices.setName("indices");
        NDArray x = manager.create(n == values.length ? values : Arrays.copyOf(values, n), new Shape(1, n));
        x.setName("values");
        return new NDList(indices, x);
    }

    private Predictor<NDList, NDList> take() {
        try {
            return predictors.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a predictor", e);
        }
    }

    @Override
    public void close() {
        predictors.forEach(Predictor::close);
        model.close();
    }
}
