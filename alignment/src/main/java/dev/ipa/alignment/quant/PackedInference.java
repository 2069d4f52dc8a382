package dev.ipa.alignment.quant;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.model.Architecture;
import java.util.List;

/**
 * Runs a {@link PackedModel} straight from its packed form, as a small device would: a compressed layer keeps
 * only its tile bits and scales, and output unit j's weights are decoded one column at a time
 * ({@link PackedLayer#column}) into a buffer of fan-in floats that is reused for every unit. The expanded matrix
 * is never built, so weight memory is the tile plus one column per layer.
 *
 * <p>The weights are bit-identical to the unpacked network's, but the dot products are summed exactly in double
 * in input order, while the BLAS kernel sums in blocked float order (with FMA), so logits agree to about 1e-6
 * relative and predictions agree except where two logits tie that closely. Callers verify against
 * {@link PackedModel#toNetwork()} rather than assume (see {@code ipa model eval --verify}).
 *
 * <p>Not thread-safe (it owns its activation buffers); make one per thread.
 */
public final class PackedInference {
  private final PackedModel model;
  private final Architecture arch;
  private final float[][] columns;
  private float[] a = new float[0];
  private float[] b = new float[0];

  public PackedInference(PackedModel model) {
    this.model = model;
    this.arch = model.architecture();
    List<PackedLayer> layers = model.layers();
    columns = new float[layers.size()][];
    for (int i = 0; i < layers.size(); i++) columns[i] = new float[layers.get(i).plan().rows()];
  }

  /**
   * Bytes of weight state this inference keeps: tile bits, scales, fp32 weights of float layers, biases and the
   * one-column decode buffer per layer (array contents, without object headers). Activations are extra and
   * scale with the batch.
   */
  public long residentBytes() {
    long bytes = 0;
    for (int i = 0; i < model.layers().size(); i++) {
      PackedLayer l = model.layers().get(i);
      bytes += 8L * l.bits().length + 4L * (l.scales().length + l.weights().length + l.biases().length + columns[i].length);
    }
    return bytes;
  }

  /** Accuracy and every sample's predicted class. */
  public record Result(int count, int correct, int[] predictions) {
    public double accuracy() {
      return count == 0 ? Double.NaN : (double) correct / count;
    }
  }

  /** Predicts every sample of {@code set} in batches of {@code batch}. */
  public Result evaluate(Dataset set, int batch) {
    if (set.featureSize() != arch.inputSize() || set.numClasses() > arch.classes()) {
      throw new ModelFileException("The model " + arch.describe() + " expects " + arch.channels() + "x" + arch.rows() + "x" + arch.cols()
          + " inputs and at most " + arch.classes() + " classes, but the data has " + set.rows() + "x" + set.cols() + " inputs and " + set.numClasses() + " classes.");
    }
    int n = set.count();
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) idx[i] = i;
    int[] predictions = new int[n];
    float[] x = new float[batch * arch.inputSize()];
    int[] labels = new int[batch];
    int[] pred = new int[batch];
    int correct = 0;
    for (int from = 0; from < n; from += batch) {
      int m = Math.min(batch, n - from);
      set.features(idx, from, from + m, x);
      set.labels(idx, from, from + m, labels);
      predict(x, m, pred);
      for (int r = 0; r < m; r++) {
        predictions[from + r] = pred[r];
        if (pred[r] == labels[r]) correct++;
      }
    }
    return new Result(n, correct, predictions);
  }

  /** Writes the predicted class of each of the {@code n} rows of {@code x} ({@code [n, inputSize]}) into {@code out}. */
  public void predict(float[] x, int n, int[] out) {
    float[] logits = logits(x, n);
    int k = arch.classes();
    for (int r = 0; r < n; r++) {
      int best = 0;
      for (int c = 1; c < k; c++) if (logits[r * k + c] > logits[r * k + best]) best = c;
      out[r] = best;
    }
  }

  /** Logits {@code [n, classes]}; the array is reused by the next call. */
  public float[] logits(float[] x, int n) {
    List<PackedLayer> layers = model.layers();
    float[] in = x;
    if (!arch.convolutional()) {
      for (int i = 0; i < layers.size(); i++) in = dense(i, in, n, i < layers.size() - 1);
      return in;
    }
    int h = arch.rows();
    int w = arch.cols();
    in = conv(0, in, n, h, w, arch.channels());
    in = pool(in, n, h, w, arch.hidden().get(0));
    in = conv(1, in, n, h / 2, w / 2, arch.hidden().get(0));
    in = pool(in, n, h / 2, w / 2, arch.hidden().get(1));
    in = dense(2, in, n, true);
    return dense(3, in, n, false);
  }

  private float[] next(float[] current, int size) {
    float[] o = current == a ? b : a;
    if (o.length < size) {
      o = new float[size];
      if (current == a) b = o;
      else a = o;
    }
    return o;
  }

  private float[] dense(int layer, float[] x, int n, boolean relu) {
    PackedLayer l = model.layers().get(layer);
    int rows = l.plan().rows();
    int cols = l.plan().cols();
    float[] y = next(x, n * cols);
    float[] col = columns[layer];
    float[] bias = l.biases();
    for (int j = 0; j < cols; j++) {
      l.column(j, col);
      for (int s = 0; s < n; s++) {
        double acc = 0;
        int base = s * rows;
        for (int i = 0; i < rows; i++) acc += (double) x[base + i] * col[i];
        float z = (float) acc + bias[j];
        y[s * cols + j] = relu && z < 0f ? 0f : z;
      }
    }
    return y;
  }

  // 5×5 "same" convolution with ReLU on NHWC input, patch order (ky, kx, channel) as in Conv2d's im2col.
  private float[] conv(int layer, float[] x, int n, int h, int w, int c) {
    PackedLayer l = model.layers().get(layer);
    int f = l.plan().cols();
    int k = (int) Math.round(Math.sqrt(l.plan().rows() / (double) c));
    int pad = k / 2;
    float[] y = next(x, n * h * w * f);
    float[] col = columns[layer];
    float[] bias = l.biases();
    for (int j = 0; j < f; j++) {
      l.column(j, col);
      for (int s = 0; s < n; s++) {
        int image = s * h * w * c;
        for (int yy = 0; yy < h; yy++) {
          for (int xx = 0; xx < w; xx++) {
            double acc = 0;
            for (int ky = 0; ky < k; ky++) {
              int sy = yy + ky - pad;
              if (sy < 0 || sy >= h) continue;
              for (int kx = 0; kx < k; kx++) {
                int sx = xx + kx - pad;
                if (sx < 0 || sx >= w) continue;
                int src = image + (sy * w + sx) * c;
                int p = (ky * k + kx) * c;
                for (int ch = 0; ch < c; ch++) acc += (double) x[src + ch] * col[p + ch];
              }
            }
            float z = (float) acc + bias[j];
            y[((s * h + yy) * w + xx) * f + j] = z < 0f ? 0f : z;
          }
        }
      }
    }
    return y;
  }

  private float[] pool(float[] x, int n, int h, int w, int c) {
    int oh = h / 2;
    int ow = w / 2;
    float[] y = next(x, n * oh * ow * c);
    int i = 0;
    for (int s = 0; s < n; s++) {
      int base = s * h * w * c;
      for (int yy = 0; yy < oh; yy++) {
        for (int xx = 0; xx < ow; xx++) {
          for (int ch = 0; ch < c; ch++, i++) {
            float max = x[base + ((2 * yy) * w + 2 * xx) * c + ch];
            for (int dy = 0; dy < 2; dy++) {
              for (int dx = 0; dx < 2; dx++) max = Math.max(max, x[base + ((2 * yy + dy) * w + 2 * xx + dx) * c + ch]);
            }
            y[i] = max;
          }
        }
      }
    }
    return y;
  }
}
