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
 * <p>The weights w_j, the coefficients c_j and the other aggregation rules (FedAvg's mean, the closed-form
 * proximal step) are in {@link Aggregation}. Pure functions over arrays: no state, no I/O, thread-safe. The
 * gradient is added in one fused pass over the flat parameters (outer loop over parameters, inner over peers),
 * so k peers cost one read of θ and of the gradient, not k.
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

  /** The penalty's value alone, for reporting. */
  public static double value(float[] theta, float[][] targets, double[] coefficients, Distance distance) {
    return addGradient(theta, new float[theta.length], targets, coefficients, distance);
  }

  /** Shape and coefficient checks shared with {@link Aggregation}; one sentence per mistake. */
  static void check(float[] theta, float[] grad, float[][] targets, double[] coefficients) {
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
}
