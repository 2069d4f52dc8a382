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
 *   <li>{@link #signStepTowards}: the ring protocol's pull of the copies θ_j towards θ_i (IPA's Algorithm 1);</li>
 *   <li>robust rules against a dishonest neighbour: {@link #upperMedian}, {@link #clipToMedianDistance} (norm
 *       clipping of each θ̃_j − θ_i to a multiple of the median distance), {@link #trimmedProximalStep} and
 *       {@link #trimmedWeightedMean} (coordinate-wise trimmed means, Yin et al. 2018, as Flower's FedTrimmedAvg),
 *       and {@link #trustGate} (FLTrust's validation-based trust, Cao et al. 2021, without a server).</li>
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

  /**
   * The upper median of {@code xs}: the element at index ⌊m/2⌋ of the sorted values. With two values it is the
   * larger, so with one neighbour against oneself nothing is ever clipped or gated (half the peers cannot be
   * outvoted anyway). NaN sorts last.
   */
  public static double upperMedian(double[] xs) {
    if (xs.length == 0) throw new IllegalArgumentException("The median of no values is undefined.");
    double[] s = xs.clone();
    java.util.Arrays.sort(s);
    return s[s.length / 2];
  }

  /** ‖a − b‖₂, summed in double. */
  public static double distance(float[] a, float[] b) {
    if (a.length != b.length) throw new IllegalArgumentException("Cannot measure the distance between " + a.length + " and " + b.length + " values.");
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - b[i];
      s += d * d;
    }
    return Math.sqrt(s);
  }

  /**
   * Norm clipping of the neighbours' distances: with d_j = ‖θ̃_j − θ‖ and bound B = factor · {@link #upperMedian}(d),
   * every target farther than B is replaced by θ + (θ̃_j − θ)·B/d_j, so no neighbour pulls harder than B whatever
   * it sends (a scaled or random snapshot). A non-finite distance is clipped to θ itself.
   *
   * @param theta   the peer's parameters (read only)
   * @param targets the neighbours' snapshots (read only; clipped ones are new arrays in the result)
   * @param factor  ≥ 1; 0 returns {@code targets} unchanged
   * @return the targets, a new array of arrays; entry j is {@code targets[j]} itself when it was not clipped
   */
  public static float[][] clipToMedianDistance(float[] theta, float[][] targets, double factor) {
    float[][] out = targets.clone();
    if (factor == 0 || targets.length == 0) return out;
    double[] d = new double[targets.length];
    for (int j = 0; j < d.length; j++) d[j] = distance(theta, targets[j]);
    double[] finite = java.util.Arrays.stream(d).filter(Double::isFinite).toArray();
    double bound = finite.length == 0 ? 0 : factor * upperMedian(finite);
    for (int j = 0; j < targets.length; j++) {
      if (d[j] <= bound) continue;
      float scale = Double.isFinite(d[j]) ? (float) (bound / d[j]) : 0f;
      float[] c = new float[theta.length];
      float[] t = targets[j];
      for (int i = 0; i < c.length; i++) c[i] = theta[i] + scale * (t[i] - theta[i]);
      out[j] = c;
    }
    return out;
  }

  /**
   * The weighted mean of {@code values[0..m)} with {@code weights}, after dropping the k smallest and k largest
   * values: coordinate-wise trimming for one coordinate. The weights of the kept values are renormalised. k = 0 is
   * the plain weighted mean. Used per coordinate by {@link #trimmedProximalStep} and {@link #trimmedWeightedMean};
   * sorts {@code values} and {@code weights} together, in place.
   */
  static double trimmedMean(double[] values, double[] weights, int m, int k) {
    for (int a = 1; a < m; a++) { // insertion sort: m is the number of peers, small
      double v = values[a];
      double w = weights[a];
      int b = a - 1;
      while (b >= 0 && values[b] > v) {
        values[b + 1] = values[b];
        weights[b + 1] = weights[b];
        b--;
      }
      values[b + 1] = v;
      weights[b + 1] = w;
    }
    double num = 0;
    double den = 0;
    for (int a = k; a < m - k; a++) {
      num += weights[a] * values[a];
      den += weights[a];
    }
    return den > 0 ? num / den : values[m / 2];
  }

  /** k = ⌊trim·m⌋, capped so that at least one value remains. */
  public static int trimCount(double trim, int m) {
    int k = (int) Math.floor(trim * m);
    return Math.max(0, Math.min(k, (m - 1) / 2));
  }

  /**
   * {@link #proximalStep} with each coordinate's weighted mean over θ and the targets taken after trimming the k
   * smallest and k largest of those m = 1 + targets values (k = {@link #trimCount}(trim, m)). A neighbour that sends
   * extreme values on some coordinates is outvoted there instead of moving the mean. With k = 0 it equals the
   * proximal step up to the order of additions.
   */
  public static void trimmedProximalStep(float[] theta, float[][] targets, double ownWeight, double[] coefficients, double trim) {
    AlignmentPenalty.check(theta, theta, targets, coefficients);
    if (!(ownWeight > 0) || Double.isInfinite(ownWeight)) {
      throw new IllegalArgumentException("The own weight of a proximal step must be a finite number > 0, got " + ownWeight + ".");
    }
    int m = targets.length + 1;
    int k = trimCount(trim, m);
    double[] v = new double[m];
    double[] w = new double[m];
    for (int i = 0; i < theta.length; i++) {
      v[0] = theta[i];
      w[0] = ownWeight;
      for (int j = 0; j < targets.length; j++) {
        v[j + 1] = targets[j][i];
        w[j + 1] = coefficients[j];
      }
      theta[i] = (float) trimmedMean(v, w, m, k);
    }
  }

  /** {@link #weightedMean} (FedAvg) with every coordinate trimmed as in {@link #trimmedProximalStep}; a new array. */
  public static float[] trimmedWeightedMean(float[] own, int ownSize, float[][] others, int[] otherSizes, double trim) {
    double[] c = new double[otherSizes.length];
    for (int j = 0; j < c.length; j++) c[j] = otherSizes[j];
    float[] out = own.clone();
    trimmedProximalStep(out, others, ownSize, c, trim);
    return out;
  }

  /**
   * FLTrust's trust (Cao et al. 2021) without a server: each neighbour's snapshot is scored by its loss on the
   * local validation split, against the {@link #upperMedian} of those losses and the peer's own. A neighbour
   * whose loss is above {@code factor} times that median, or not finite, gets trust 0; the others 1.
   *
   * @param ownLoss        the peer's own model's validation loss
   * @param neighbourLoss  each neighbour's snapshot's validation loss
   * @param factor         &gt; 1; 0 trusts everyone
   */
  public static double[] trustGate(double ownLoss, double[] neighbourLoss, double factor) {
    double[] t = new double[neighbourLoss.length];
    java.util.Arrays.fill(t, 1.0);
    if (factor == 0 || t.length == 0) return t;
    double[] all = new double[t.length + 1];
    all[0] = ownLoss;
    System.arraycopy(neighbourLoss, 0, all, 1, t.length);
    double bound = factor * upperMedian(all);
    for (int j = 0; j < t.length; j++) if (!(neighbourLoss[j] <= bound)) t[j] = 0;
    return t;
  }

  private static double sum(double[] xs) {
    double sum = 0;
    for (double x : xs) sum += x;
    return sum;
  }
}
