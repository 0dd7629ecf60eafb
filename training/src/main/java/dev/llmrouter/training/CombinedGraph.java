package dev.llmrouter.training;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;

/**
 * Joins the exported intent and difficulty models into one ONNX graph over the union of their input
 * columns, one output per model, so the router classifies a request with a single ONNX Runtime call instead
 * of one per model. The graph takes the request's features sparse, as {@code indices} (int64, the non-zero
 * columns) and {@code values} (float, shape {@code [1, n]}): each head gathers the weight rows of those
 * columns, multiplies them by the values, adds its bias and applies Softmax. That is Tribuo's
 * {@code softmax(x W + b)} over the few non-zero columns instead of all of them. The weights are Tribuo's
 * own, read back from each model's exported file; a model's missing columns get zero weights, which leaves
 * its outputs unchanged.
 */
final class CombinedGraph {
    /**
     * One model: its name (the output's), its input columns in the feature space, and its weights, one row of
     * {@code classes} per column in index order, and bias.
     */
    record Head(String name, BitSet columns, float[] weights, float[] bias) {
        Head {
            if (weights.length != columns.cardinality() * bias.length) {
                throw new IllegalStateException(name + ": " + weights.length + " weights for " + columns.cardinality()
                        + " columns of " + bias.length + " classes");
            }
        }

        /** The head of an exported model file (Tribuo's or this class's), over its card's columns. */
        static Head exported(Path onnx, String name, BitSet columns) {
            Weights w = Weights.read(onnx);
            if (w.rows() != columns.cardinality()) {
                throw new IllegalStateException(name + ": its ONNX file has " + w.rows() + " input rows but its card "
                        + columns.cardinality() + " columns");
            }
            return new Head(name, columns, w.weights(), w.bias());
        }

        int classes() {
            return bias.length;
        }
    }

    /** The weights ({@code rows x classes}, row-major) and bias of a linear model's ONNX file. */
    record Weights(float[] weights, int rows, int classes, float[] bias) {
        static Weights read(Path onnx) {
            OnnxMl.GraphProto source = CombinedGraph.read(onnx).getGraph();
            OnnxMl.TensorProto weights = initializer(source, "weights");
            return new Weights(
                    floats(weights),
                    (int) weights.getDims(0),
                    (int) weights.getDims(1),
                    floats(initializer(source, "bias")));
        }
    }

    private CombinedGraph() {}

    /** Writes the combined graph to {@code out}; its input columns are the union of the heads'. */
    static BitSet write(List<Head> heads, Path out) {
        BitSet union = new BitSet();
        heads.forEach(h -> union.or(h.columns()));
        int width = union.cardinality();
        OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName("llm-router-classifier");
        graph.addInput(valueInfo("indices", OnnxMl.TensorProto.DataType.INT64, dim("nnz")));
        graph.addInput(valueInfo("values", OnnxMl.TensorProto.DataType.FLOAT, fixed(1), dim("nnz")));
        for (Head head : heads) {
            int classes = head.classes();
            float[] padded = new float[width * classes];
            int row = 0;
            for (int column = head.columns().nextSetBit(0);
                    column >= 0;
                    column = head.columns().nextSetBit(column + 1)) {
                System.arraycopy(head.weights(), row * classes, padded, rank(union, column) * classes, classes);
                row++;
            }
            String n = head.name();
            graph.addInitializer(floatTensor(n + "_weights", padded, width, classes));
            graph.addInitializer(floatTensor(n + "_bias", head.bias(), classes));
            graph.addNode(node("Gather", n + "_rows", n + "_weights", "indices"));
            graph.addNode(node("MatMul", n + "_scores", "values", n + "_rows"));
            graph.addNode(node("Add", n + "_logits", n + "_scores", n + "_bias"));
            graph.addNode(OnnxMl.NodeProto.newBuilder()
                    .setOpType("Softmax")
                    .setName(n + "_softmax")
                    .addInput(n + "_logits")
                    .addOutput(n)
                    .addAttribute(OnnxMl.AttributeProto.newBuilder()
                            .setName("axis")
                            .setI(1)
                            .setType(OnnxMl.AttributeProto.AttributeType.INT)));
            graph.addOutput(valueInfo(n, OnnxMl.TensorProto.DataType.FLOAT, fixed(1), fixed(classes)));
        }
        OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("llm-router")
                .setDomain("dev.llmrouter")
                .setModelVersion(1)
                .addOpsetImport(
                        OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph)
                .build();
        try {
            Files.write(out, model.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
        return union;
    }

    private static int rank(BitSet set, int index) {
        return set.get(0, index).cardinality();
    }

    private static OnnxMl.ModelProto read(Path onnx) {
        try {
            return OnnxMl.ModelProto.parseFrom(Files.readAllBytes(onnx));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + onnx, e);
        }
    }

    private static OnnxMl.TensorProto initializer(OnnxMl.GraphProto graph, String part) {
        return graph.getInitializerList().stream()
                .filter(t -> t.getName().contains(part))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + part + " initializer in an exported model"));
    }

    private static float[] floats(OnnxMl.TensorProto tensor) {
        if (tensor.getFloatDataCount() > 0) {
            float[] values = new float[tensor.getFloatDataCount()];
            for (int i = 0; i < values.length; i++) {
                values[i] = tensor.getFloatData(i);
            }
            return values;
        }
        FloatBuffer buffer = tensor.getRawData()
                .asReadOnlyByteBuffer()
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    private static OnnxMl.TensorProto floatTensor(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder()
                .setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A node with one output named after it. */
    private static OnnxMl.NodeProto.Builder node(String op, String output, String... inputs) {
        OnnxMl.NodeProto.Builder node =
                OnnxMl.NodeProto.newBuilder().setOpType(op).setName(output).addOutput(output);
        for (String in : inputs) {
            node.addInput(in);
        }
        return node;
    }

    private static OnnxMl.TensorShapeProto.Dimension dim(String name) {
        return OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(name).build();
    }

    private static OnnxMl.TensorShapeProto.Dimension fixed(long size) {
        return OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(size).build();
    }

    private static OnnxMl.ValueInfoProto valueInfo(
            String name, OnnxMl.TensorProto.DataType type, OnnxMl.TensorShapeProto.Dimension... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (OnnxMl.TensorShapeProto.Dimension d : dims) {
            shape.addDim(d);
        }
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(OnnxMl.TypeProto.newBuilder()
                        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                                .setElemType(type.getNumber())
                                .setShape(shape)))
                .build();
    }
}
