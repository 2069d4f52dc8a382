package dev.ipa.alignment.quant;

/**
 * The math of binary and tiled-bit weights, as pure functions over output-major float arrays (see
 * {@link LayerPlan} for the layout). No state, no I/O; safe from any thread.
 *
 * <p>Tiling follows Gorbett, Shirazi and Ray, "Tiled Bit Networks: Sub-Bit Neural Network Compression Through
 * Reuse of Learnable Binary Vectors" (CIKM 2024): cut the n latent weights into copies of q = ⌈n/p⌉, sum the
 * copies position by position, and keep the sign of each sum as the tile; every copy is then the tile scaled by
 * its own α = mean|W| over that copy. Binary weights (α·sign(W), Rastegari et al.'s XNOR-Net scaling) are the same
 * computation with one copy.
 *
 * <pre>
 *   latent (output-major)  | w0 w1 w2 | w3 w4 w5 | w6 w7 w8 | w9 |      n = 10, p = 4, q = ⌈10/4⌉ = 3
 *   sums s_i               s0 = w0+w3+w6+w9   s1 = w1+w4+w7   s2 = w2+w5+w8
 *   tile t_i = s_i ≥ 0     | t0 t1 t2 |
 *   effective              | α0·t | α1·t | α2·t | α3·t0 |     α_k = mean|w| over copy k (copy 3 holds w9 only)
 * </pre>
 *
 * <p>When q does not divide n the last copy is shorter and uses the head of the tile; a layer then has
 * ⌈n/q⌉ ≤ p copies (e.g. n = 9, p = 4 gives q = 3 and three copies). A zero sum counts as +1, so every bit is
 * defined.
 */
public final class SignTiles {
  private SignTiles() {}

  /**
   * Computes the pre-sign sums (the tile is {@code sums[i] ≥ 0}) and the scales.
   *
   * @param w      n latent weights, output-major
   * @param q      tile length
   * @param group  weights per scale
   * @param sums   out: q sums
   * @param scales out: ⌈n/group⌉ scales, mean|w| over each group, accumulated in double and rounded once
   */
  public static void tile(float[] w, int n, int q, int group, float[] sums, float[] scales) {
    for (int i = 0; i < q; i++) sums[i] = 0f;
    for (int f = 0; f < n; f += q) {
      int len = Math.min(q, n - f);
      for (int i = 0; i < len; i++) sums[i] += w[f + i];
    }
    for (int g = 0, c = 0; g < n; g += group, c++) {
      int end = Math.min(n, g + group);
      double a = 0;
      for (int f = g; f < end; f++) a += Math.abs(w[f]);
      scales[c] = (float) (a / (end - g));
    }
  }

  /** Writes the effective weights {@code scale[f / group] · (sums[f mod q] ≥ 0 ? +1 : −1)}. */
  public static void expand(float[] sums, float[] scales, int n, int q, int group, float[] out) {
    // Counters instead of a division and a modulo per weight: this runs on every training step.
    for (int f = 0, pos = 0, g = 0, groupEnd = group; f < n; f++) {
      if (f == groupEnd) {
        g++;
        groupEnd += group;
      }
      out[f] = scales[g] * (sums[pos] >= 0f ? 1f : -1f);
      if (++pos == q) pos = 0;
    }
  }

  /**
   * Straight-through gradient. The tile bit i is used at positions i, q+i, 2q+i, …; treating sign as the
   * identity and the scales as constants (detached), every latent weight feeding bit i receives
   * {@code Σ_k scale(kq+i) · effGrad[kq+i]}. With {@code clip} finite the gradient is cancelled where
   * |s_i| > clip, the hard-tanh estimator of Hubara et al. (BinaryNet, 2016), so latents that are already
   * saturated stop growing.
   *
   * @param sums    the q pre-sign sums from {@link #tile}
   * @param effGrad n gradients with respect to the effective weights, output-major
   * @param tileGrad scratch of q floats
   * @param out     n gradients with respect to the latent weights, output-major
   */
  public static void backward(float[] sums, float[] scales, float[] effGrad, int n, int q, int group, double clip, float[] tileGrad, float[] out) {
    for (int i = 0; i < q; i++) tileGrad[i] = 0f;
    for (int f = 0, pos = 0, g = 0, groupEnd = group; f < n; f++) {
      if (f == groupEnd) {
        g++;
        groupEnd += group;
      }
      tileGrad[pos] += scales[g] * effGrad[f];
      if (++pos == q) pos = 0;
    }
    for (int i = 0; i < q; i++) if (Math.abs(sums[i]) > clip) tileGrad[i] = 0f;
    for (int f = 0; f < n; f += q) System.arraycopy(tileGrad, 0, out, f, Math.min(q, n - f));
  }

  /** Packs the tile (bit i set when sums[i] ≥ 0) into 64-bit words, bit i in word i/64 at position i mod 64. */
  public static long[] bits(float[] sums, int q) {
    long[] words = new long[(q + 63) / 64];
    for (int i = 0; i < q; i++) if (sums[i] >= 0f) words[i >>> 6] |= 1L << (i & 63);
    return words;
  }

  /** Reads c-order {@code [rows, cols]} into output-major order. */
  public static void toOutputMajor(float[] cOrder, int rows, int cols, float[] out) {
    transpose(cOrder, rows, cols, out);
  }

  /** Writes output-major values back in c-order {@code [rows, cols]}. */
  public static void toCOrder(float[] outputMajor, int rows, int cols, float[] out) {
    transpose(outputMajor, cols, rows, out);
  }

  // Transposes a c-order [rows, cols] matrix in 32×32 blocks, so neither side strides through memory per element.
  private static void transpose(float[] in, int rows, int cols, float[] out) {
    final int block = 32;
    for (int r0 = 0; r0 < rows; r0 += block) {
      int r1 = Math.min(rows, r0 + block);
      for (int c0 = 0; c0 < cols; c0 += block) {
        int c1 = Math.min(cols, c0 + block);
        for (int r = r0; r < r1; r++) {
          for (int c = c0; c < c1; c++) out[c * rows + r] = in[r * cols + c];
        }
      }
    }
  }
}
