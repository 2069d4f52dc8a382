package dev.ipa.alignment.quant;

import java.util.Objects;

/**
 * How one weight layer is compressed, and what it costs. A layer's weights are a {@code [rows, cols]} matrix
 * (Dense: {@code [in, out]}; Conv2d: {@code [k·k·C, F]}); compressed kinds read them <em>output-major</em> (all
 * weights of unit 0, then unit 1, …), the order of PyTorch's {@code [out, in]} tensors the Tiled Bit Networks
 * paper flattens, so a tile copy covers a group of whole output units when p divides cols.
 *
 * <p>Every compressed weight is {@code scale[f / group] · (bit[f mod tileLength] ? +1 : −1)} for output-major
 * index f:
 *
 * <pre>
 *   kind              tileLength q     group g     scales
 *   binary            n                n           1
 *   binary per-unit   n                rows        cols
 *   tiled:p           ⌈n/p⌉            q           ⌈n/q⌉  (≤ p; the last copy is shorter when q ∤ n)
 * </pre>
 *
 * @param name       layer name, e.g. {@code dense1}
 * @param rows       rows of the weight matrix (fan-in)
 * @param cols       columns of the weight matrix (output units or filters)
 * @param kind       storage kind
 * @param tiles      p for tiled layers, 1 otherwise
 * @param perUnit    one scale per output unit (binary only)
 */
public record LayerPlan(String name, int rows, int cols, WeightKind kind, int tiles, boolean perUnit) {

  /** Bytes of a layer record before its scales: kind, scale layout, rows, cols, tile length, scale count, tiles. */
  public static final int DESCRIPTOR_BYTES = 1 + 1 + 4 + 4 + 4 + 4 + 2;

  public LayerPlan {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    if (rows < 1 || cols < 1) throw new IllegalArgumentException("Layer " + name + " must have a positive shape, got " + rows + "x" + cols + ".");
    if (kind == WeightKind.TILED && (tiles < 2 || tiles > 65535)) {
      throw new IllegalArgumentException("A tiled layer needs 2 to 65535 tile copies, got " + tiles + ".");
    }
    if (kind != WeightKind.TILED && tiles != 1) throw new IllegalArgumentException("Only tiled layers have more than one tile copy.");
    if (perUnit && kind != WeightKind.BINARY) throw new IllegalArgumentException("Only binary layers can have one scale per unit.");
  }

  /** Weights in the layer. */
  public int weightCount() {
    return Math.multiplyExact(rows, cols);
  }

  /** Bits of the stored sign pattern (the tile); 0 for float layers. */
  public int tileLength() {
    int n = weightCount();
    return switch (kind) {
      case FLOAT -> 0;
      case BINARY -> n;
      case TILED -> (n + tiles - 1) / tiles;
    };
  }

  /** Consecutive output-major weights sharing one scale; 0 for float layers. */
  public int scaleGroup() {
    return switch (kind) {
      case FLOAT -> 0;
      case BINARY -> perUnit ? rows : weightCount();
      case TILED -> tileLength();
    };
  }

  /** Number of fp32 scales. */
  public int scaleCount() {
    if (kind == WeightKind.FLOAT) return 0;
    int g = scaleGroup();
    return (weightCount() + g - 1) / g;
  }

  /** Bytes of the stored weights: packed bits, or fp32 values for a float layer. */
  public int weightBytes() {
    return kind == WeightKind.FLOAT ? 4 * weightCount() : (tileLength() + 7) / 8;
  }

  /** Bytes per bias: fp16 next to compressed weights (fp32 biases alone would exceed a binary model's budget). */
  public int biasWidth() {
    return kind == WeightKind.FLOAT ? 4 : 2;
  }

  /** Exact bytes of this layer's record in a packed model file: descriptor, scales, weights, bias width, biases. */
  public int packedBytes() {
    return DESCRIPTOR_BYTES + 4 * scaleCount() + weightBytes() + 1 + biasWidth() * cols;
  }

  /** Stored bits per weight, counting the sign bits and scales (not the biases). */
  public double bitsPerWeight() {
    return kind == WeightKind.FLOAT ? 32.0 : (tileLength() + 32.0 * scaleCount()) / weightCount();
  }

  /** The mode as shown to users: {@code float}, {@code binary}, {@code binary:per-unit}, {@code tiled:4}. */
  public String mode() {
    return switch (kind) {
      case FLOAT -> "float";
      case BINARY -> perUnit ? "binary:per-unit" : "binary";
      case TILED -> "tiled:" + tiles;
    };
  }
}
