package dev.ipa.alignment.penalty;

/**
 * Every rule that combines a peer's parameters with its neighbours', as pure functions over arrays (in the spirit
 * of Flower's {@code aggregate.py}; the strategies in {@code protocol} only orchestrate them):
 *
 * <ul>
 *   <li>{@link #peerWeight}: the one weighting rule, w_j = |D_j| / Σ|D| or 1/n;</li>
 *   <li>{@link #alignmentCoefficients}: IPA's c_j = λ·w_j for the gradient term ({@link AlignmentPenalty});</li>
 *   <li>{@link #proximalCoefficients} and {@link #proximalStep}: IPA's closed-form squared-L2 step;</li>
 *   <li>{@link #weightedMean}: FedAvg's data-size weighted mean (McMahan et al. 2017);</li>
 *   <li>{@link #extrapolate}: staleness compensation of a neighbour's snapshot;</li>
 *   <li>{@link #signStepTowards}: the ring protocol's pull of the copies θ_j towards θ_i (IPA's Algorithm 1).</li>
 * </ul>
 *
 * <p>The loops, the float/double accumulation and the order of additions are part of the contract: simulations
 * are pinned bit for bit, so a rewrite that sums in another order is a behaviour change. No state, no I/O,
 * thread-safe.
 */
public final class Aggregation {
  private Aggregation() {}

  /**
   * A peer's weight: |D_j| / Σ|D| by data size, or 1/n uniformly over the n peers of the federation.
   *
   * @param size      |D_j|, the peer's training-set size
   * @param totalSize Σ|D| over the whole federation, the local peer included
   * @param peers     n, the number of peers in the federation
   */
  public static double peerWeight(int size, long totalSize, int peers, Weighting weighting) {
    if (peers < 1) throw new IllegalArgumentException("A federation has at least 1 peer, got " + peers + ".");
    return weighting == Weighting.DATA_SIZE ? (double) size / totalSize : 1.0 / peers;
  }

  /** {@link #peerWeight} of each of {@code sizes}, in order. */
  public static double[] peerWeights(int[] sizes, long totalSize, int peers, Weighting weighting) {
    double[] w = new double[sizes.length];
    for (int j = 0; j < w.length; j++) w[j] = peerWeight(sizes[j], totalSize, peers, weighting);
    return w;
  }

  /**
   * IPA's gradient-term coefficients c_j = λ·w_j, or with normalisation λ·w_j / Σ_k w_k, so that the total pull
   * is λ whatever the number of neighbours that delivered.
   */
  public static double[] alignmentCoefficients(double[] weights, double lambda, boolean normalise) {
    double sum = sum(weights);
    double[] c = new double[weights.length];
    for (int j = 0; j < c.length; j++) c[j] = lambda * (normalise && sum > 0 ? weights[j] / sum : weights[j]);
    return c;
  }

  /**
   * The neighbours' coefficients in IPA's proximal step: mix·w_j, or with normalisation mix·(1 − w_i)·w_j / Σ_k w_k,
   * so that the pull does not shrink when a neighbour is missing. With mix = 1 and every neighbour present, the
   * step gives the data-size weighted mean of the whole federation.
   *
   * @param ownWeight w_i, the local peer's own {@link #peerWeight}
   */
  public static double[] proximalCoefficients(double ownWeight, double[] weights, double mix, boolean normalise) {
    double sum = sum(weights);
    double[] c = new double[weights.length];
    for (int j = 0; j < c.length; j++) c[j] = mix * (normalise && sum > 0 ? (1 - ownWeight) * weights[j] / sum : weights[j]);
    return c;
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
   * @param coefficients c_j ≥ 0 for each target
   */
  public static void proximalStep(float[] theta, float[][] targets, double ownWeight, double[] coefficients) {
    AlignmentPenalty.check(theta, theta, targets, coefficients);
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

  /**
   * FedAvg's mean Σ_j |D_j|·θ_j / Σ_j |D_j| over the peer itself and the snapshots it received, summed in double.
   *
   * @param own        the peer's parameters (read only)
   * @param ownSize    its training-set size
   * @param others     the received parameters, each as long as {@code own} (read only)
   * @param otherSizes their senders' training-set sizes
   * @return a new array
   */
  public static float[] weightedMean(float[] own, int ownSize, float[][] others, int[] otherSizes) {
    if (others.length != otherSizes.length) {
      throw new IllegalArgumentException("Got " + others.length + " snapshots but " + otherSizes.length + " sizes.");
    }
    double total = ownSize;
    double[] acc = new double[own.length];
    for (int i = 0; i < own.length; i++) acc[i] = (double) ownSize * own[i];
    for (int k = 0; k < others.length; k++) {
      float[] p = others[k];
      if (p.length != own.length) {
        throw new IllegalArgumentException("Snapshot " + k + " has " + p.length + " values but the parameters have " + own.length + ".");
      }
      total += otherSizes[k];
      for (int i = 0; i < own.length; i++) acc[i] += (double) otherSizes[k] * p[i];
    }
    float[] mean = new float[own.length];
    for (int i = 0; i < own.length; i++) mean[i] = (float) (acc[i] / total);
    return mean;
  }

  /**
   * Staleness compensation: θ̃_j + γ·(θ̃_j − θ̃_j,previous), a neighbour's snapshot moved on by γ times its last
   * step. Returns {@code latest} itself when γ = 0 or there is no previous snapshot.
   */
  public static float[] extrapolate(float[] latest, float[] previous, double gamma) {
    if (gamma == 0 || previous == null) return latest;
    float[] t = new float[latest.length];
    float g = (float) gamma;
    for (int i = 0; i < t.length; i++) t[i] = latest[i] + g * (latest[i] - previous[i]);
    return t;
  }

  /**
   * In place, moves every target j with c_j ≠ 0 one fixed step towards θ: θ_jk += step·sign(θ_k − θ_jk). This is
   * the ring protocol's update of the copies θ_j (the IPA paper's Algorithm 1): an Adam-sized step on the
   * alignment gradient with respect to θ_j, which is what Adam makes of a gradient of constant sign.
   */
  public static void signStepTowards(float[] theta, float[][] targets, double[] coefficients, float step) {
    for (int k = 0; k < targets.length; k++) {
      if (coefficients[k] == 0) continue;
      float[] t = targets[k];
      for (int i = 0; i < theta.length; i++) {
        float diff = theta[i] - t[i];
        t[i] += diff > 0 ? step : diff < 0 ? -step : 0f;
      }
    }
  }

  private static double sum(double[] xs) {
    double sum = 0;
    for (double x : xs) sum += x;
    return sum;
  }
}
