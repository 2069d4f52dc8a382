package dev.ipa.onnx;

import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.alignment.table.RecordEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Predictions for records that arrive as maps, such as the daemon's JSON: a table model reads each record as
 * column → value (a number or a string; null or absent means missing), an image model reads one entry
 * {@value #IMAGE} holding the image as C·H·W numbers in [0, 1] in NCHW order, as the ONNX export takes it.
 *
 * <p>Thread-safe: {@link #predict} is synchronised, since the predictor owns its buffers; one instance serves one
 * model version.
 */
public final class RecordPrediction {
  /** The record key of an image model's input. */
  public static final String IMAGE = "image";

  private final PackedModel model;
  private final ModelInput input;
  private final Predictor predictor;
  private final RecordEncoder encoder;

  /** One record's prediction: the class name and the probability of each class, in {@link #classes()} order. */
  public record Prediction(String label, float[] probabilities) {}

  public RecordPrediction(PackedModel model, String source) {
    this.model = model;
    this.input = ModelInputs.of(model, source, null);
    this.predictor = new Predictor(model);
    this.encoder = input instanceof ModelInput.Tabular t ? new RecordEncoder(t.schema()) : null;
  }

  public PackedModel model() {
    return model;
  }

  public List<String> classes() {
    return input.classNames();
  }

  /** What a record holds for this model, in one sentence (for error messages and documentation). */
  public String expects() {
    if (encoder != null) {
      return "records of column → value with the columns " + encoder.schema().columns().stream().map(c -> c.name()).toList();
    }
    Architecture a = model.architecture();
    return "records with one entry \"" + IMAGE + "\": " + a.inputSize() + " numbers in [0, 1] (" + a.channels() + "×" + a.rows() + "×" + a.cols() + ", NCHW)";
  }

  /**
   * Predicts {@code records} in order.
   *
   * @throws IllegalArgumentException one sentence naming the first record (0-based) and column that cannot be read
   */
  public synchronized List<Prediction> predict(List<Map<String, Object>> records) {
    int n = records.size();
    int width = predictor.inputSize();
    float[] x = new float[Math.multiplyExact(n, width)];
    for (int r = 0; r < n; r++) {
      Map<String, Object> record = records.get(r);
      if (record == null) throw new IllegalArgumentException("Record " + r + " is null; send " + expects() + ".");
      try {
        if (encoder != null) {
          encoder.encode(name -> text(record.get(name), name), x, r * width);
        } else {
          image(record, x, r * width);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Record " + r + ": " + e.getMessage());
      }
    }
    int k = predictor.classes();
    int[] labels = new int[n];
    float[] p = new float[n * k];
    predictor.predict(x, n, labels, p);
    List<Prediction> out = new ArrayList<>(n);
    for (int r = 0; r < n; r++) out.add(new Prediction(classes().get(labels[r]), java.util.Arrays.copyOfRange(p, r * k, (r + 1) * k)));
    return out;
  }

  private static String text(Object value, String column) {
    if (value == null) return null;
    if (value instanceof String s) return s;
    if (value instanceof Number || value instanceof Boolean) return value.toString();
    throw new IllegalArgumentException("Column " + column + " holds a " + (value instanceof List ? "list" : "nested object")
        + "; give a number, a string or null.");
  }

  // NCHW numbers in, NHWC floats out (the platform's layout).
  private void image(Map<String, Object> record, float[] x, int offset) {
    Architecture a = model.architecture();
    if (!(record.get(IMAGE) instanceof List<?> values) || record.size() != 1) {
      throw new IllegalArgumentException("an image model takes " + expects().substring("records with ".length()) + ", got the keys " + record.keySet() + ".");
    }
    if (values.size() != a.inputSize()) {
      throw new IllegalArgumentException("\"" + IMAGE + "\" holds " + values.size() + " numbers but the model takes " + a.inputSize() + " ("
          + a.channels() + "×" + a.rows() + "×" + a.cols() + ").");
    }
    int c = a.channels();
    int h = a.rows();
    int w = a.cols();
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < h; y++) {
        for (int xx = 0; xx < w; xx++) {
          Object v = values.get((ch * h + y) * w + xx);
          if (!(v instanceof Number num) || !Double.isFinite(num.doubleValue())) {
            throw new IllegalArgumentException("\"" + IMAGE + "\" value " + ((ch * h + y) * w + xx) + " is " + v + ", not a finite number.");
          }
          x[offset + (y * w + xx) * c + ch] = num.floatValue();
        }
      }
    }
  }
}
