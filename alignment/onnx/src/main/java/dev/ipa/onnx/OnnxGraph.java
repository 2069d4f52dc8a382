package dev.ipa.onnx;

import com.google.protobuf.ByteString;
import dev.ipa.onnx.proto.OnnxProto.AttributeProto;
import dev.ipa.onnx.proto.OnnxProto.GraphProto;
import dev.ipa.onnx.proto.OnnxProto.ModelProto;
import dev.ipa.onnx.proto.OnnxProto.NodeProto;
import dev.ipa.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.ipa.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.ipa.onnx.proto.OnnxProto.TensorProto;
import dev.ipa.onnx.proto.OnnxProto.TensorShapeProto;
import dev.ipa.onnx.proto.OnnxProto.TypeProto;
import dev.ipa.onnx.proto.OnnxProto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX graph under construction, through typed operator helpers (after Tribuo's {@code ONNXContext}): each
 * helper adds one node and returns the name of its output, so a model's graph reads as its forward pass. No other
 * class touches the generated protobuf types; {@link #toBytes} gives the serialised {@code ModelProto}.
 *
 * <p>The graph targets ONNX IR version {@value #IR_VERSION} with the default domain at opset {@value #OPSET} and
 * {@code ai.onnx.ml} at opset {@value #ML_OPSET} (for {@code LabelEncoder}); ONNX Runtime 1.16 and later read it.
 * Names are made unique by a counter, so helpers can be called in any order.
 *
 * <p>Lifecycle: construct → inputs, initialisers, operators, outputs, metadata in any order → {@link #toBytes}
 * once. Not thread-safe.
 */
final class OnnxGraph {
  static final int IR_VERSION = 8;
  static final int OPSET = 17;
  static final int ML_OPSET = 2;
  private static final String ML = "ai.onnx.ml";

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final ModelProto.Builder model = ModelProto.newBuilder();
  private final Set<String> names = new HashSet<>();
  private int counter;

  OnnxGraph(String name, String producerVersion, String doc) {
    graph.setName(name);
    model.setIrVersion(IR_VERSION)
        .setProducerName("ipa")
        .setProducerVersion(producerVersion)
        .setDomain("dev.ipa")
        .setModelVersion(1)
        .setDocString(doc)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(ML).setVersion(ML_OPSET));
  }

  /** ONNX element types this exporter uses (TensorProto.DataType numbers). */
  enum Type {
    FLOAT(TensorProto.DataType.FLOAT), INT64(TensorProto.DataType.INT64), STRING(TensorProto.DataType.STRING);

    final TensorProto.DataType proto;

    Type(TensorProto.DataType proto) {
      this.proto = proto;
    }
  }

  /**
   * Declares a graph input; a dimension of -1 is symbolic, named {@code N} (the batch).
   *
   * @return the input's name
   */
  String input(String name, Type type, long... dims) {
    claim(name);
    graph.addInput(valueInfo(name, type, dims, null));
    return name;
  }

  /** Declares {@code value} as a graph output named {@code name} (an Identity node renames it). */
  void output(String value, String name, Type type, String doc, long... dims) {
    claim(name);
    graph.addNode(node("Identity", List.of(value), name));
    graph.addOutput(valueInfo(name, type, dims, doc));
  }

  /** A float initialiser of the given shape, row-major. */
  String floats(String hint, float[] values, long... dims) {
    requireLength(values.length, dims);
    ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    String name = fresh(hint);
    graph.addInitializer(tensor(name, Type.FLOAT, dims).setRawData(ByteString.copyFrom(raw.array())));
    return name;
  }

  /** An int64 initialiser of the given shape. */
  String int64s(String hint, long[] values, long... dims) {
    requireLength(values.length, dims);
    String name = fresh(hint);
    TensorProto.Builder t = tensor(name, Type.INT64, dims);
    for (long v : values) t.addInt64Data(v);
    graph.addInitializer(t);
    return name;
  }

  /** A string initialiser of the given shape (UTF-8). */
  String strings(String hint, List<String> values, long... dims) {
    requireLength(values.size(), dims);
    String name = fresh(hint);
    TensorProto.Builder t = tensor(name, Type.STRING, dims);
    for (String v : values) t.addStringData(ByteString.copyFromUtf8(v));
    graph.addInitializer(t);
    return name;
  }

  /** Writes one {@code metadata_props} entry. */
  void metadata(String key, String value) {
    model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
  }

  /** Writes every entry of {@code entries}, in its iteration order. */
  void metadata(Map<String, String> entries) {
    entries.forEach(this::metadata);
  }

  // ---- operators (default domain unless noted) -------------------------------------------------------------

  String matMul(String a, String b) {
    return op("MatMul", List.of(a, b));
  }

  String add(String a, String b) {
    return op("Add", List.of(a, b));
  }

  String sub(String a, String b) {
    return op("Sub", List.of(a, b));
  }

  String mul(String a, String b) {
    return op("Mul", List.of(a, b));
  }

  String relu(String x) {
    return op("Relu", List.of(x));
  }

  String softmax(String x, int axis) {
    return op("Softmax", List.of(x), intAttr("axis", axis));
  }

  /** Index of the first largest value along {@code axis}, that axis dropped. */
  String argMax(String x, int axis) {
    return op("ArgMax", List.of(x), intAttr("axis", axis), intAttr("keepdims", 0), intAttr("select_last_index", 0));
  }

  String gather(String data, String indices, int axis) {
    return op("Gather", List.of(data, indices), intAttr("axis", axis));
  }

  String transpose(String x, long... perm) {
    return op("Transpose", List.of(x), intsAttr("perm", perm));
  }

  /** Keeps axis 0 and flattens the rest. */
  String flatten(String x) {
    return op("Flatten", List.of(x), intAttr("axis", 1));
  }

  /** A k×k convolution with stride 1 and symmetric zero padding {@code pad} on NCHW input. */
  String conv(String x, String weights, String bias, int k, int pad) {
    return op("Conv", List.of(x, weights, bias), intsAttr("kernel_shape", k, k), intsAttr("pads", pad, pad, pad, pad),
        intsAttr("strides", 1, 1), intsAttr("dilations", 1, 1), intAttr("group", 1));
  }

  /** Max-pooling with a {@code k}×{@code k} window and stride {@code k}, no padding. */
  String maxPool(String x, int k) {
    return op("MaxPool", List.of(x), intsAttr("kernel_shape", k, k), intsAttr("strides", k, k));
  }

  String concat(List<String> parts, int axis) {
    return op("Concat", parts, intAttr("axis", axis));
  }

  String isNaN(String x) {
    return op("IsNaN", List.of(x));
  }

  String where(String condition, String ifTrue, String ifFalse) {
    return op("Where", List.of(condition, ifTrue, ifFalse));
  }

  String equal(String a, String b) {
    return op("Equal", List.of(a, b));
  }

  String cast(String x, Type to) {
    return op("Cast", List.of(x), intAttr("to", to.proto.getNumber()));
  }

  /** {@code ai.onnx.ml} LabelEncoder from strings to int64: {@code keys[i] → i}, anything else → {@code unknown}. */
  String stringIndex(String x, List<String> keys, long unknown) {
    AttributeProto.Builder k = AttributeProto.newBuilder().setName("keys_strings").setType(AttributeProto.AttributeType.STRINGS);
    for (String key : keys) k.addStrings(ByteString.copyFromUtf8(key));
    AttributeProto.Builder v = AttributeProto.newBuilder().setName("values_int64s").setType(AttributeProto.AttributeType.INTS);
    for (int i = 0; i < keys.size(); i++) v.addInts(i);
    String out = fresh("LabelEncoder");
    graph.addNode(node("LabelEncoder", List.of(x), out).setDomain(ML)
        .addAttribute(k).addAttribute(v).addAttribute(intAttr("default_int64", unknown)));
    return out;
  }

  /** The serialised model. */
  byte[] toBytes() {
    return model.setGraph(graph).build().toByteArray();
  }

  // ---- plumbing ----------------------------------------------------------------------------------------------

  private String op(String type, List<String> inputs, AttributeProto.Builder... attributes) {
    String out = fresh(type);
    NodeProto.Builder n = node(type, inputs, out);
    for (AttributeProto.Builder a : attributes) n.addAttribute(a);
    graph.addNode(n);
    return out;
  }

  private NodeProto.Builder node(String type, List<String> inputs, String output) {
    return NodeProto.newBuilder().setOpType(type).setName(output).addAllInput(inputs).addOutput(output);
  }

  private static AttributeProto.Builder intAttr(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value);
  }

  private static AttributeProto.Builder intsAttr(String name, long... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) a.addInts(v);
    return a;
  }

  private static TensorProto.Builder tensor(String name, Type type, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.proto.getNumber());
    for (long d : dims) t.addDims(d);
    return t;
  }

  private static ValueInfoProto valueInfo(String name, Type type, long[] dims, String doc) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N") : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    ValueInfoProto.Builder v = ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.proto.getNumber()).setShape(shape)));
    if (doc != null) v.setDocString(doc);
    return v.build();
  }

  private String fresh(String hint) {
    String name;
    do {
      name = hint + "_" + counter++;
    } while (names.contains(name));
    names.add(name);
    return name;
  }

  private void claim(String name) {
    if (!names.add(name)) {
      throw new IllegalArgumentException("The ONNX graph already has a value named '" + name + "'; rename the column or input.");
    }
  }

  private static void requireLength(int length, long[] dims) {
    long n = 1;
    for (long d : dims) n *= d;
    if (n != length) throw new IllegalArgumentException("A tensor of shape " + java.util.Arrays.toString(dims) + " needs " + n + " values, got " + length + ".");
  }
}
