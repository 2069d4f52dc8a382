package dev.ipa.onnx;

import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.provenance.ModelProvenance;
import dev.ipa.alignment.quant.PackedLayer;
import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.alignment.table.SchemaJson;
import dev.ipa.alignment.table.TableSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link PackedModel} as an ONNX model that any runtime can run: binary and tiled-bit layers as their
 * dequantised weights ({@link PackedLayer#expand}, the weights the platform's forward pass uses), the input's
 * preprocessing inside the graph, and the provenance in {@code metadata_props}.
 *
 * <pre>
 *  images:  image float[N,C,H,W] ──(cnn)── Conv 5×5 → Relu → MaxPool 2 → Conv 5×5 → Relu → MaxPool 2
 *                                          → Transpose NHWC → Flatten ─┐
 *                               ──(mlp, linear)── [Transpose NHWC if C &gt; 1] → Flatten ─┤
 *  tables:  one input per column, each encoded as the schema says, Concat in schema order ┤
 *                                                                                        ▼
 *                            (MatMul → Add → Relu)* → MatMul → Add = logits ─┬─ Softmax → probabilities float[N,K]
 *                                                                            └─ ArgMax → Gather(class names) → label string[N]
 * </pre>
 *
 * The platform's activations are NHWC, so the graph transposes once before the dense layers and the dense weights
 * are written unchanged. Table columns are encoded exactly as {@code TableEncoder} does: a numeric column x
 * becomes {@code Where(IsNaN(x), 0, (x − mean) · (1/sd))} in float, plus {@code Cast(IsNaN(x))} when it has a
 * missing indicator; a categorical column becomes {@code LabelEncoder} (category k → k, anything else → K) then
 * {@code Equal} with {@code 0..K} cast to float, so K one-hot inputs and the last one "unknown".
 *
 * <p>Metadata keys are listed in {@link #metadata}. Stateless; safe from any thread.
 */
public final class OnnxExporter {
  /** How image inputs are scaled; also written to the metadata under {@code ipa.input.scaling}. */
  public static final String IMAGE_SCALING = "pixel / 255 (uint8 to [0, 1]), NCHW, channels R, G, B";

  private OnnxExporter() {}

  /**
   * The ONNX bytes of {@code model}.
   *
   * @param input   what the model takes, with its class names
   * @param metrics metric name → value at export (e.g. {@code accuracy → 0.8731}), written as {@code ipa.metric.*}
   */
  public static byte[] export(PackedModel model, ModelInput input, Map<String, String> metrics) {
    Architecture arch = model.architecture();
    if (input.classNames().size() != arch.classes()) {
      throw new IllegalArgumentException("The model has " + arch.classes() + " classes but " + input.classNames().size()
          + " class names were given; give one name per class.");
    }
    OnnxGraph g = new OnnxGraph("ipa_" + arch.family(), model.provenance().codeVersion(),
        "IPA " + arch.describe() + " (" + model.weightMode() + " weights) from peer " + model.provenance().peerId()
            + ", round " + model.provenance().round() + ". Outputs: label, probabilities.");
    List<PackedLayer> layers = model.layers();
    String features;
    int dense = 0;
    if (input instanceof ModelInput.Tabular t) {
      if (t.schema().encodedWidth() != arch.inputSize()) {
        throw new IllegalArgumentException("The schema encodes " + t.schema().encodedWidth() + " inputs but the model "
            + arch.describe() + " takes " + arch.inputSize() + "; export with the schema the model was trained on.");
      }
      features = tableFeatures(g, t.schema());
    } else {
      String image = g.input("image", OnnxGraph.Type.FLOAT, -1, arch.channels(), arch.rows(), arch.cols());
      String x = image;
      if (arch.convolutional()) {
        x = convBlock(g, x, layers.get(0), arch.channels());
        x = convBlock(g, x, layers.get(1), arch.hidden().get(0));
        dense = 2;
      }
      if (arch.convolutional() || arch.channels() > 1) x = g.transpose(x, 0, 2, 3, 1);
      features = g.flatten(x);
    }
    String a = features;
    for (int i = dense; i < layers.size(); i++) {
      PackedLayer l = layers.get(i);
      String w = g.floats(l.plan().name() + "_W", l.expand(), l.plan().rows(), l.plan().cols());
      String b = g.floats(l.plan().name() + "_b", l.biases(), l.plan().cols());
      a = g.add(g.matMul(a, w), b);
      if (i < layers.size() - 1) a = g.relu(a);
    }
    String probabilities = g.softmax(a, 1);
    String names = g.strings("class_names", input.classNames(), arch.classes());
    String label = g.gather(names, g.argMax(a, 1), 0);
    g.output(label, "label", OnnxGraph.Type.STRING, "the predicted class's name (the first class with the largest logit)", -1);
    g.output(probabilities, "probabilities", OnnxGraph.Type.FLOAT, "softmax of the logits, one column per class in class order", -1, arch.classes());
    g.metadata(metadata(model, input, metrics));
    return g.toBytes();
  }

  /**
   * The {@code metadata_props} of an export, in this order: {@code ipa.peer}, {@code ipa.round}, {@code ipa.seed},
   * {@code ipa.code-version}, {@code ipa.architecture}, {@code ipa.weight-mode}, {@code ipa.classes} (JSON array),
   * {@code ipa.input} ({@code image} or {@code table}), then {@code ipa.input.scaling} for images or
   * {@code ipa.schema.hash} and {@code ipa.schema} (the canonical schema JSON) for tables, one
   * {@code ipa.setting.NAME} per provenance setting (algorithm and codec settings among them), one
   * {@code ipa.aligned-to.PEER} per neighbour snapshot, and one {@code ipa.metric.NAME} per metric.
   */
  public static LinkedHashMap<String, String> metadata(PackedModel model, ModelInput input, Map<String, String> metrics) {
    ModelProvenance p = model.provenance();
    LinkedHashMap<String, String> m = new LinkedHashMap<>();
    m.put("ipa.peer", p.peerId());
    m.put("ipa.round", Integer.toString(p.round()));
    m.put("ipa.seed", Long.toString(p.seed()));
    m.put("ipa.code-version", p.codeVersion());
    m.put("ipa.architecture", model.architecture().describe());
    m.put("ipa.weight-mode", model.weightMode());
    m.put("ipa.classes", ModelInputs.settings(input.classNames()).get(ModelInputs.CLASSES));
    if (input instanceof ModelInput.Tabular t) {
      m.put("ipa.input", "table");
      m.put("ipa.schema.hash", t.schema().hash());
      m.put("ipa.schema", SchemaJson.write(t.schema()));
    } else {
      m.put("ipa.input", "image");
      m.put("ipa.input.scaling", IMAGE_SCALING);
    }
    p.settings().forEach((k, v) -> m.put("ipa.setting." + k, v));
    p.alignedTo().forEach((k, v) -> m.put("ipa.aligned-to." + k, Long.toUnsignedString(v)));
    metrics.forEach((k, v) -> m.put("ipa.metric." + k, v));
    return m;
  }

  // Conv2d's weights are [k·k·C, F] with patch index (ky·k + kx)·C + c; ONNX Conv wants [F, C, k, k].
  private static String convBlock(OnnxGraph g, String x, PackedLayer l, int channels) {
    int f = l.plan().cols();
    int k = (int) Math.round(Math.sqrt(l.plan().rows() / (double) channels));
    float[] hwc = l.expand();
    float[] nchw = new float[hwc.length];
    for (int o = 0; o < f; o++) {
      for (int c = 0; c < channels; c++) {
        for (int ky = 0; ky < k; ky++) {
          for (int kx = 0; kx < k; kx++) {
            nchw[((o * channels + c) * k + ky) * k + kx] = hwc[((ky * k + kx) * channels + c) * f + o];
          }
        }
      }
    }
    String w = g.floats(l.plan().name() + "_W", nchw, f, channels, k, k);
    String b = g.floats(l.plan().name() + "_b", l.biases(), f);
    return g.maxPool(g.relu(g.conv(x, w, b, k, k / 2)), 2);
  }

  private static String tableFeatures(OnnxGraph g, TableSchema schema) {
    List<String> parts = new ArrayList<>();
    String zero = g.floats("zero", new float[] {0f}, 1);
    for (TableSchema.Column c : schema.columns()) {
      if (c.type() == TableSchema.ColumnType.NUMERIC) {
        String x = g.input(c.name(), OnnxGraph.Type.FLOAT, -1, 1);
        String missing = g.isNaN(x);
        String mean = g.floats(c.name() + "_mean", new float[] {(float) c.mean()}, 1);
        String inv = g.floats(c.name() + "_inv_sd", new float[] {(float) (1 / c.sd())}, 1);
        parts.add(g.where(missing, zero, g.mul(g.sub(x, mean), inv)));
        if (c.missingIndicator()) parts.add(g.cast(missing, OnnxGraph.Type.FLOAT));
      } else {
        String x = g.input(c.name(), OnnxGraph.Type.STRING, -1, 1);
        int k = c.categories().size();
        String index = g.stringIndex(x, c.categories(), k);
        long[] slots = new long[k + 1];
        for (int i = 0; i <= k; i++) slots[i] = i;
        String range = g.int64s(c.name() + "_slots", slots, k + 1);
        parts.add(g.cast(g.equal(index, range), OnnxGraph.Type.FLOAT));
      }
    }
    return parts.size() == 1 ? parts.get(0) : g.concat(parts, 1);
  }
}
