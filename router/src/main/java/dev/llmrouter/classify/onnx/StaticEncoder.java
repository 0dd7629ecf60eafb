package dev.llmrouter.classify.onnx;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.llmrouter.features.FeatureSpec;
import dev.llmrouter.features.TextEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A static sentence encoder distilled from a transformer's (MiniLM's): every word piece of its vocabulary was
 * run through the transformer once, alone ({@code [CLS] piece [SEP]}, the mean of the three output vectors),
 * and the vectors, less their mean, projected on their leading principal axes ({@link #principal}). A prompt's
 * embedding is the sum of its pieces' vectors (the first {@code maxTokens} pieces), each weighted by the logarithm of its frequency rank (BERT's
 * vocabulary lists the pieces by frequency after the reserved entries: a rare piece says more than "the"),
 * scaled to unit length. It keeps what the transformer knows about words (that "bug" and "TypeError", "poem"
 * and "limerick" are near) without running it per request: a prompt costs its pieces' lookups, microseconds
 * where the transformer takes milliseconds.
 *
 * <p>The table ships in the router's jar ({@code <encoder>-static<dimensions>.bin}: a byte a value and a step
 * a piece, 7.9 MB for MiniLM at 256 dimensions) with its rows' vocabulary ({@code <encoder>-static-vocab.txt}), so
 * every machine reads the same vectors and none runs the transformer to get them; {@code models/static-table.sh}
 * distils both again from the transformer's jar, and a test checks that the shipped ones are what the transformer
 * gives. Thread-safe.
 */
public final class StaticEncoder implements TextEncoder {
    private static final Map<FeatureSpec.Encoder, StaticEncoder> SHARED = new ConcurrentHashMap<>();
    private static final int BATCH = 512;
    /** The width of the transformer's output vectors (MiniLM's and BGE small's). */
    static final int HIDDEN = 384;

    private final FeatureSpec.Encoder spec;
    private final WordPieceTokenizer tokenizer;
    /**
     * Row {@code id} is the piece's vector in steps of {@code scale[id]} (a byte a value: a quarter of the
     * memory a request's lookups touch), the step already multiplied by the piece's weight.
     */
    private final byte[] table;

    private final float[] scale;

    StaticEncoder(FeatureSpec.Encoder spec, WordPieceTokenizer tokenizer, Table table) {
        if (table.pieces() != tokenizer.size() || table.dimensions() != spec.dimensions()) {
            throw new IllegalArgumentException("the table of " + spec.name() + " has " + table.pieces() + " pieces of "
                    + table.dimensions() + " values, not " + tokenizer.size() + " of " + spec.dimensions()
                    + ": run models/static-table.sh");
        }
        this.spec = spec;
        this.tokenizer = tokenizer;
        this.table = table.values();
        this.scale = new float[tokenizer.size()];
        int first = firstPiece(tokenizer);
        for (int id = 0; id < tokenizer.size(); id++) {
            scale[id] = table.steps()[id] * (float) Math.log(2 + Math.max(0, id - first));
        }
    }

    /** The first id after the reserved entries ({@code [PAD]}, {@code [unused0]}..., {@code [CLS]}...). */
    private static int firstPiece(WordPieceTokenizer tokenizer) {
        int id = 0;
        while (id < tokenizer.size() && tokenizer.reserved(id)) {
            id++;
        }
        return id;
    }

    /**
     * The process's instance of a static encoder, its vocabulary and table read from the classpath on first use
     * (both from the router's jar: the tokenizer's JSON, read and parsed, made a start 0.4 s slower).
     */
    public static StaticEncoder shared(FeatureSpec.Encoder encoder) {
        return SHARED.computeIfAbsent(encoder, StaticEncoder::load);
    }

    private static StaticEncoder load(FeatureSpec.Encoder spec) {
        String name = spec.name();
        try (InputStream vocabulary = SentenceEncoder.resource(vocabularyName(spec));
                InputStream table = SentenceEncoder.resource(tableName(spec))) {
            WordPieceTokenizer tokenizer = WordPieceTokenizer.readVocabulary(vocabulary, vocabularyName(spec));
            return new StaticEncoder(spec, tokenizer, Table.read(table, tableName(spec)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the static encoder of " + name + ": " + e.getMessage(), e);
        }
    }

    /** The table's resource name. */
    static String tableName(FeatureSpec.Encoder spec) {
        return spec.name() + "-static" + spec.dimensions() + ".bin";
    }

    /** The resource name of the vocabulary of the table's rows (the transformer tokenizer's, a piece a line). */
    static String vocabularyName(FeatureSpec.Encoder spec) {
        return spec.name() + "-static-vocab.txt";
    }

    /**
     * The pieces' vectors quantised: row {@code id} is {@code values[id * d, (id + 1) * d)} in steps of
     * {@code steps[id]} (the largest magnitude of the row over 127).
     */
    record Table(int pieces, int dimensions, float[] steps, byte[] values) {
        private static final int MAGIC = 0x4C525354; // "LRST"

        Table {
            if (steps.length != pieces || values.length != pieces * dimensions) {
                throw new IllegalArgumentException("a table of " + pieces + " pieces of " + dimensions + " values"
                        + " needs as many steps and values");
            }
        }

        static Table quantise(float[] vectors, int pieces) {
            int d = vectors.length / pieces;
            float[] steps = new float[pieces];
            byte[] values = new byte[vectors.length];
            for (int id = 0; id < pieces; id++) {
                float largest = 0;
                for (int k = 0; k < d; k++) {
                    largest = Math.max(largest, Math.abs(vectors[id * d + k]));
                }
                steps[id] = largest / 127;
                for (int k = 0; k < d; k++) {
                    values[id * d + k] = (byte) (largest == 0 ? 0 : Math.round(vectors[id * d + k] / steps[id]));
                }
            }
            return new Table(pieces, d, steps, values);
        }

        float value(int id, int k) {
            return steps[id] * values[id * dimensions + k];
        }

        void write(Path file) throws IOException {
            ByteBuffer buffer =
                    ByteBuffer.allocate(12 + 4 * pieces + values.length).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(MAGIC).putInt(pieces).putInt(dimensions);
            for (float step : steps) {
                buffer.putFloat(step);
            }
            buffer.put(values);
            Files.write(file, buffer.array());
        }

        static Table read(InputStream in, String name) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            if (buffer.remaining() < 12 || buffer.getInt() != MAGIC) {
                throw new IOException(name + " is not a static encoder's table");
            }
            int pieces = buffer.getInt();
            int dimensions = buffer.getInt();
            if (pieces < 1 || dimensions < 1 || buffer.remaining() != 4L * pieces + (long) pieces * dimensions) {
                throw new IOException(
                        name + " is cut short or too long for " + pieces + " x " + dimensions + " values");
            }
            float[] steps = new float[pieces];
            for (int i = 0; i < pieces; i++) {
                steps[i] = buffer.getFloat();
            }
            byte[] values = new byte[pieces * dimensions];
            buffer.get(values);
            return new Table(pieces, dimensions, steps, values);
        }
    }

    /** The transformer's tokenizer, from its jar on the classpath. */
    static WordPieceTokenizer transformerTokenizer(FeatureSpec.Encoder spec) throws IOException {
        try (InputStream json = SentenceEncoder.resource(spec.name() + "-tokenizer.json")) {
            return WordPieceTokenizer.read(json, spec.name() + "-tokenizer.json");
        }
    }

    /** Distils the table of {@code spec} from the transformer on the classpath: a few seconds on a CPU. */
    static Table distil(FeatureSpec.Encoder spec) throws IOException {
        WordPieceTokenizer tokenizer = transformerTokenizer(spec);
        try (InputStream onnx = SentenceEncoder.resource(spec.name() + ".onnx")) {
            float[] vectors = principal(compute(spec, tokenizer, onnx.readAllBytes()), tokenizer, spec.dimensions());
            return Table.quantise(vectors, tokenizer.size());
        }
    }

    /**
     * Writes the tables of the known static encoders, and their vocabularies, into the folder given (the router
     * module's resources): {@code models/static-table.sh} runs it.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: StaticEncoder OUT_DIR   (writes <encoder>-static<dimensions>.bin and"
                    + " <encoder>-static-vocab.txt there)");
            System.exit(2);
        }
        for (FeatureSpec spec : FeatureSpec.KNOWN.values()) {
            if (spec.encoder().pooling().equals("static")) {
                Path out = Path.of(args[0]).resolve(tableName(spec.encoder()));
                distil(spec.encoder()).write(out);
                Path vocabulary = Path.of(args[0]).resolve(vocabularyName(spec.encoder()));
                transformerTokenizer(spec.encoder()).writeVocabulary(vocabulary);
                System.out.println("wrote " + out + " and " + vocabulary);
            }
        }
    }

    /** Runs every piece through the transformer, a batch of {@value #BATCH} at a time, on the CPU. */
    private static float[] compute(FeatureSpec.Encoder spec, WordPieceTokenizer tokenizer, byte[] onnx)
            throws IOException {
        Path file = Files.createTempFile("llm-router-" + spec.name(), ".onnx");
        try {
            Files.write(file, onnx);
            int n = tokenizer.size();
            int d = HIDDEN;
            long cls = tokenizer.id("[CLS]");
            long sep = tokenizer.id("[SEP]");
            if (cls < 0 || sep < 0) {
                throw new IOException(spec.name() + "-tokenizer.json has no [CLS] or [SEP] entry");
            }
            float[] vectors = new float[n * d];
            try (ZooModel<NDList, NDList> model = SentenceEncoder.open(file, Device.CPU);
                    Predictor<NDList, NDList> predictor = model.newPredictor()) {
                boolean typeIds = model.describeInput() != null
                        && model.describeInput().keys().contains("token_type_ids");
                for (int from = 0; from < n; from += BATCH) {
                    int b = Math.min(BATCH, n - from);
                    long[] ids = new long[b * 3];
                    long[] mask = new long[b * 3];
                    for (int i = 0; i < b; i++) {
                        ids[i * 3] = cls;
                        ids[i * 3 + 1] = from + i;
                        ids[i * 3 + 2] = sep;
                        java.util.Arrays.fill(mask, i * 3, i * 3 + 3, 1L);
                    }
                    try (NDManager manager = model.getNDManager().newSubManager()) {
                        NDList input =
                                new NDList(SentenceEncoder.named(manager.create(ids, new Shape(b, 3)), "input_ids"));
                        input.add(SentenceEncoder.named(manager.create(mask, new Shape(b, 3)), "attention_mask"));
                        if (typeIds) {
                            input.add(SentenceEncoder.named(
                                    manager.create(new long[b * 3], new Shape(b, 3)), "token_type_ids"));
                        }
                        float[] hidden = predictor.predict(input).get(0).toFloatArray();
                        if (hidden.length != b * 3 * d) {
                            throw new IOException(
                                    spec.name() + " gives vectors of " + hidden.length / (b * 3) + " values, not " + d);
                        }
                        for (int i = 0; i < b; i++) {
                            for (int t = 0; t < 3; t++) {
                                for (int k = 0; k < d; k++) {
                                    vectors[(from + i) * d + k] += hidden[(i * 3 + t) * d + k] / 3f;
                                }
                            }
                        }
                    } catch (TranslateException e) {
                        throw new IllegalStateException(spec.name() + ": ONNX Runtime failed: " + e.getMessage(), e);
                    }
                }
            }
            return vectors;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * The pieces' vectors less their mean, projected on the {@code m} principal axes of the word pieces (the
     * eigenvectors of their covariance with the largest eigenvalues, each signed so that its largest component is
     * positive): the mean is what every vector shares (it would make any two prompts look alike), and the
     * leading axes carry most of what tells pieces apart in a fraction of the width.
     */
    static float[] principal(float[] vectors, WordPieceTokenizer tokenizer, int m) {
        int n = tokenizer.size();
        int d = vectors.length / n;
        int first = firstPiece(tokenizer);
        double[] mean = new double[d];
        for (int id = first; id < n; id++) {
            for (int k = 0; k < d; k++) {
                mean[k] += vectors[id * d + k];
            }
        }
        for (int k = 0; k < d; k++) {
            mean[k] /= n - first;
        }
        double[][] covariance = new double[d][d];
        double[] row = new double[d];
        for (int id = first; id < n; id++) {
            for (int k = 0; k < d; k++) {
                row[k] = vectors[id * d + k] - mean[k];
            }
            for (int i = 0; i < d; i++) {
                double ri = row[i];
                double[] ci = covariance[i];
                for (int j = i; j < d; j++) {
                    ci[j] += ri * row[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                covariance[i][j] = covariance[j][i];
            }
        }
        double[][] axes = Eigen.leading(covariance, m);
        float[] out = new float[n * m];
        for (int id = 0; id < n; id++) {
            for (int k = 0; k < d; k++) {
                row[k] = vectors[id * d + k] - mean[k];
            }
            for (int a = 0; a < m; a++) {
                double dot = 0;
                double[] axis = axes[a];
                for (int k = 0; k < d; k++) {
                    dot += axis[k] * row[k];
                }
                out[id * m + a] = (float) dot;
            }
        }
        return out;
    }

    @Override
    public FeatureSpec.Encoder spec() {
        return spec;
    }

    @Override
    public float[] encode(String text) {
        int d = spec.dimensions();
        int[][] ids = {new int[64]};
        int[] count = {0};
        // the text's first maxTokens pieces, as the transformer would read them; the rest is not tokenized
        tokenizer.pieces(text, spec.maxTokens(), id -> {
            if (count[0] == ids[0].length) {
                ids[0] = java.util.Arrays.copyOf(ids[0], count[0] * 2);
            }
            ids[0][count[0]++] = id;
        });
        float[] out = new float[d];
        for (int i = 0, n = Math.min(count[0], spec.maxTokens()); i < n; i++) {
            int id = ids[0][i];
            float s = scale[id];
            for (int k = 0, row = id * d; k < d; k++) {
                out[k] += s * table[row + k];
            }
        }
        return SentenceEncoder.unitLength(out);
    }
}
