package dev.ipa.alignment.penalty;

/**
 * The IPA alignment term of Iterative Parameter Alignment (Sun et al.): for peer i,
 *
 * <pre>
 *   P(θ_i) = Σ_j c_j · D(θ_i, θ̃_j)          with c_j = λ · w_j (and any normalisation folded in)
 *   L1:  P = Σ_j c_j Σ_k |θ_ik − θ̃_jk|         ∂P/∂θ_ik = Σ_j c_j · sign(θ_ik − θ̃_jk)
 *   L2:  P = Σ_j c_j Σ_k (θ_ik − θ̃_jk)²        ∂P/∂θ_ik = Σ_j 2 c_j (θ_ik − θ̃_jk)
 * </pre>
 *
 * summed over every weight and bias, where θ̃_j is the last snapshot received from peer j. sign(0) = 0 (the
 * subgradient that leaves equal parameters alone).
 *
 * <p>Pure functions over arrays: no state, no I/O, thread-safe. The gradient is added in one fused pass over the
 * flat parameters (outer loop over parameters, inner over peers), so k peers cost one read of θ and of the
 * gradient, not k.
 */
public final class AlignmentPenalty {
  private AlignmentPenalty() {}

  /**
   * Adds the alignment gradient to {@code grad} and returns the penalty's value.
   *
   * @param theta        the peer's parameters (read only)
   * @param grad         the gradient to add into
   * @param targets      one array per neighbour, each as long as {@code theta} (read only)
   * @param coefficients c_j for each target (λ·w_j); must be ≥ 0
   * @param distance     L1 or squared L2
   */
  public static double addGradient(float[] theta, float[] grad, float[][] targets, double[] coefficients, Distance distance) {
    check(theta, grad, targets, coefficients);
    int k = targets.length;
    if (k == 0) return 0.0;
    float[] c = new float[k];
    for (int j = 0; j < k; j++) c[j] = (float) coefficients[j];
    double value = 0;
    if (distance == Distance.L1) {
      double[] abs = new double[k];
      for (int i = 0; i < theta.length; i++) {
        float t = theta[i];
        float g = 0f;
        for (int j = 0; j < k; j++) {
          float d = t - targets[j][i];
          g += d > 0f ? c[j] : d < 0f ? -c[j] : 0f;
          abs[j] += Math.abs(d);
        }
        grad[i] += g;
      }
      for (int j = 0; j < k; j++) value += coefficients[j] * abs[j];
    } else {
      double[] sq = new double[k];
      for (int i = 0; i < theta.length; i++) {
        float t = theta[i];
        float g = 0f;
        for (int j = 0; j < k; j++) {
          float d = t - targets[j][i];
          g += 2f * c[j] * d;
          sq[j] += (double) d * d;
        }
        grad[i] += g;
      }
      for (int j = 0; j < k; j++) value += coefficients[j] * sq[j];
    }
    return value;
  }

  /**
   * The closed-form proximal step of the squared-L2 alignment problem, in place:
   *
   * <pre>
   *   θ ← argmin_x  a·‖x − θ‖² + Σ_j c_j·‖x − θ̃_j‖²  =  (a·θ + Σ_j c_j·θ̃_j) / (a + Σ_j c_j)
   * </pre>
   *
   * a weighted mean of θ and the snapshots, computed in one fused pass (outer loop over parameters).
   *
   * @param theta        the peer's parameters, overwritten with the result
   * @param targets      one array per neighbour, each as long as {@code theta} (read only)
   * @param ownWeight    a &gt; 0, the weight of the peer's own parameters
   * @param coefficients c_j ≥ 0 for each target (λ·w_j)
   */
  public static void proximalStep(float[] theta, float[][] targets, double ownWeight, double[] coefficients) {
    check(theta, theta, targets, coefficients);
    if (!(ownWeight > 0) || Double.isInfinite(ownWeight)) {
      throw new IllegalArgumentException("The own weight of a proximal step must be a finite number > 0, got " + ownWeight + ".");
    }
    int k = targets.length;
    double total = ownWeight;
    for (double c : coefficients) total += c;
    float own = (float) (ownWeight / total);
    float[] c = new float[k];
    for (int j = 0; j < k; j++) c[j] = (float) (coefficients[j] / total);
    for (int i = 0; i < theta.length; i++) {
      float x = own * theta[i];
      for (int j = 0; j < k; j++) x += c[j] * targets[j][i];
      theta[i] = x;
    }
  }

  /** The penalty's value alone, for reporting. */
  public static double value(float[] theta, float[][] targets, double[] coefficients, Distance distance) {
    return addGradient(theta, new float[theta.length], targets, coefficients, distance);
  }

  /**
   * Per-neighbour weights w_j: data-size weighted {@code |D_j| / Σ|D|} over all peers of the federation
   * (the paper's choice; Σ includes peer i itself), or uniform {@code 1 / (n − 1)}.
   *
   * @param neighbourSizes |D_j| of each neighbour
   * @param totalSize      Σ|D| over the whole federation, including the local peer
   * @param peers          number of peers in the federation
   */
  public static double[] weights(int[] neighbourSizes, long totalSize, int peers, Weighting weighting) {
    double[] w = new double[neighbourSizes.length];
    for (int j = 0; j < w.length; j++) {
      w[j] = weighting == Weighting.DATA_SIZE ? (double) neighbourSizes[j] / totalSize : 1.0 / Math.max(1, peers - 1);
    }
    return w;
  }

  private static void check(float[] theta, float[] grad, float[][] targets, double[] coefficients) {
    if (grad.length != theta.length) {
      throw new IllegalArgumentException("The gradient has " + grad.length + " values but the parameters have " + theta.length + ".");
    }
    if (coefficients.length != targets.length) {
      throw new IllegalArgumentException("Got " + targets.length + " snapshots but " + coefficients.length + " coefficients.");
    }
    for (int j = 0; j < targets.length; j++) {
      if (targets[j].length != theta.length) {
        throw new IllegalArgumentException("Snapshot " + j + " has " + targets[j].length + " values but the parameters have " + theta.length + ".");
      }
      if (!(coefficients[j] >= 0) || Double.isInfinite(coefficients[j])) {
        throw new IllegalArgumentException("Alignment coefficient " + j + " must be a finite number ≥ 0, got " + coefficients[j] + ".");
      }
    }
  }

  /** How neighbours are weighted. */
  public enum Weighting {
    /** |D_j| / Σ|D|, as in the paper. */
    DATA_SIZE,
    /** 1 / (n − 1) for every neighbour. */
    UNIFORM;

    public static Weighting parse(String s) {
      return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "data", "data-size", "size" -> DATA_SIZE;
        case "uniform" -> UNIFORM;
        default -> throw new IllegalArgumentException("Unknown peer weighting '" + s + "'; use data-size or uniform.");
      };
    }
  }
}
