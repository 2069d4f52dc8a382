package dev.ipa.alignment.quant;

import java.util.Objects;

/**
 * One weight layer in packed form: the sign tile as bits and its scales (or fp32 weights for a float layer), and
 * the biases as stored (already rounded to fp16 for compressed layers). Immutable by convention: the arrays are
 * not copied, so callers must not change them. Safe to share between threads for reading.
 *
 * @param plan    shape and kind
 * @param bits    tile bits, bit i in word i/64 at position i mod 64 ({@link LayerPlan#tileLength()} bits); empty for float
 * @param scales  {@link LayerPlan#scaleCount()} scales
 * @param weights c-order {@code [rows, cols]} fp32 weights of a float layer; empty otherwise
 * @param biases  {@code cols} biases
 */
public record PackedLayer(LayerPlan plan, long[] bits, float[] scales, float[] weights, float[] biases) {
  public PackedLayer {
    Objects.requireNonNull(plan, "plan");
    if (bits.length != (plan.tileLength() + 63) / 64) throw new IllegalArgumentException("Layer " + plan.name() + " needs " + plan.tileLength() + " tile bits.");
    if (scales.length != plan.scaleCount()) throw new IllegalArgumentException("Layer " + plan.name() + " needs " + plan.scaleCount() + " scales.");
    int w = plan.kind() == WeightKind.FLOAT ? plan.weightCount() : 0;
    if (weights.length != w) throw new IllegalArgumentException("Layer " + plan.name() + " needs " + w + " fp32 weights.");
    if (biases.length != plan.cols()) throw new IllegalArgumentException("Layer " + plan.name() + " needs " + plan.cols() + " biases.");
  }

  /**
   * Writes the weights of output unit {@code j} ({@code rows} values, column j of the matrix) into {@code out},
   * computing each from the tile and its scale: this is how inference reads a compressed layer without ever
   * holding the expanded matrix. Values are bit-identical to what the training transform produced.
   */
  public void column(int j, float[] out) {
    int rows = plan.rows();
    if (plan.kind() == WeightKind.FLOAT) {
      int cols = plan.cols();
      for (int i = 0; i < rows; i++) out[i] = weights[i * cols + j];
      return;
    }
    int q = plan.tileLength();
    int g = plan.scaleGroup();
    int f = j * rows; // output-major index of (row 0, column j)
    int pos = f % q;
    int group = f / g;
    int groupEnd = (group + 1) * g;
    for (int i = 0; i < rows; i++, f++) {
      if (f == groupEnd) {
        group++;
        groupEnd += g;
      }
      out[i] = scales[group] * ((bits[pos >>> 6] >>> (pos & 63) & 1L) != 0 ? 1f : -1f);
      if (++pos == q) pos = 0;
    }
  }

  /** The full c-order {@code [rows, cols]} matrix; for unpacking into a network and for tests, not for inference. */
  public float[] expand() {
    float[] out = new float[plan.weightCount()];
    float[] col = new float[plan.rows()];
    for (int j = 0; j < plan.cols(); j++) {
      column(j, col);
      for (int i = 0; i < plan.rows(); i++) out[i * plan.cols() + j] = col[i];
    }
    return out;
  }
}
