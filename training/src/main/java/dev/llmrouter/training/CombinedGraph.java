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
 * columns, one output per model ({@code <name>}: Gemm then Softmax), so the router classifies a request with
 * a single ONNX Runtime call instead of one per model. The weights are Tribuo's own, read back from each
 * model's exported file; a model's missing columns get zero weights, which leaves its outputs unchanged.
 */
final class CombinedGraph {
    /** One exported model: its file, its name (the output's), and its input columns in the feature space. */
    record Head(Path onnx, String name, BitSet columns) {}

    private CombinedGraph() {}

    /** Writes the combined graph to {@code out}; its input columns are the union of the heads'. */
    static BitSet write(List<Head> heads, Path out) {
        BitSet union = new BitSet();
        heads.forEach(h -> union.or(h.columns()));
        int width = union.cardinality();
        OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName("llm-router-classifier");
        graph.addInput(tensor("input", width, "batch"));
        for (Head head : heads) {
            OnnxMl.GraphProto source = read(head.onnx()).getGraph();
            OnnxMl.TensorProto weights = initializer(source, "weights");
            OnnxMl.TensorProto bias = initializer(source, "bias");
            int rows = (int) weights.getDims(0);
            int classes = (int) weights.getDims(1);
            float[] w = floats(weights);
            float[] padded = new float[width * classes];
            int row = 0;
            for (int column = head.columns().nextSetBit(0);
                    column >= 0;
                    column = head.columns().nextSetBit(column + 1)) {
                int target = rank(union, column);
                System.arraycopy(w, row * classes, padded, target * classes, classes);
                row++;
            }
            if (row != rows) {
                throw new IllegalStateException(
                        head.name() + ": its ONNX file has " + rows + " input rows but its card " + row + " columns");
            }
            String n = head.name();
            graph.addInitializer(floatTensor(n + "_weights", padded, width, classes));
            graph.addInitializer(floatTensor(n + "_bias", floats(bias), classes));
            graph.addNode(OnnxMl.NodeProto.newBuilder()
                    .setOpType("Gemm")
                    .setName(n + "_gemm")
                    .addInput("input")
                    .addInput(n + "_weights")
                    .addInput(n + "_bias")
                    .addOutput(n + "_logits"));
            graph.addNode(OnnxMl.NodeProto.newBuilder()
                    .setOpType("Softmax")
                    .setName(n + "_softmax")
                    .addInput(n + "_logits")
                    .addOutput(n)
                    .addAttribute(OnnxMl.AttributeProto.newBuilder()
                            .setName("axis")
                            .setI(1)
                            .setType(OnnxMl.AttributeProto.AttributeType.INT)));
            graph.addOutput(tensor(n, classes, "batch"));
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

    private static OnnxMl.ValueInfoProto tensor(String name, int width, String batch) {
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(OnnxMl.TypeProto.newBuilder()
                        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                                .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                                .setShape(OnnxMl.TensorShapeProto.newBuilder()
                                        .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder()
                                                .setDimParam(batch))
                                        .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder()
                                                .setDimValue(width)))))
                .build();
    }
}
