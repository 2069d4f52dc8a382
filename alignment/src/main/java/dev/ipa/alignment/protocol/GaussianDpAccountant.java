package dev.ipa.alignment.protocol;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Privacy accounting of a peer that publishes T Gaussian releases of sensitivity C with noise N(0, σ²C²) each, to
 * every neighbour (full participation, no subsampling). Exact composition in Gaussian differential privacy
 * (Dong, Roth and Su 2019, "Gaussian Differential Privacy", Corollary 3.3): each release is (1/σ)-GDP, so T of them
 * are μ-GDP with μ = √T / σ. The conversion to (ε, δ) is the exact one of the Gaussian mechanism (Balle and Wang
 * 2018, "Improving the Gaussian Mechanism", Theorem 8; Dong–Roth–Su Corollary 2.13):
 *
 * <pre>
 *   δ(ε) = Φ(−ε/μ + μ/2) − e^ε · Φ(−ε/μ − μ/2)
 * </pre>
 *
 * and ε(δ) is its inverse, found by bisection (δ(ε) falls strictly in ε).
 *
 * <p>As Opacus' accountants: the object only counts ({@link #step()}) and converts ({@link #epsilon(double)}); the
 * conversions are pure static functions, tested on their own. Not thread-safe: the peer's round thread owns it.
 */
public final class GaussianDpAccountant {
  private static final NormalDistribution PHI = new NormalDistribution(null, 0, 1);

  private final double sigma;
  private int steps;
  // Releases made before a restart (resume), perhaps with another σ, and their μ²: GDP composes exactly as
  // μ² = Σ 1/σ_i², so releases under different noise multipliers add up without approximation.
  private int earlierSteps;
  private double earlierMuSquared;

  /** @param sigma the noise multiplier σ &gt; 0 of every release */
  public GaussianDpAccountant(double sigma) {
    if (!(sigma > 0) || Double.isInfinite(sigma)) throw new IllegalArgumentException("The noise multiplier σ must be a finite number > 0, got " + sigma + ".");
    this.sigma = sigma;
  }

  /**
   * Carries on from a checkpoint: {@code releases} releases were made before, composing to {@code muSquared} (μ²,
   * {@link #muSquared()}). Call it before the first {@link #step()}.
   */
  public void resume(int releases, double muSquared) {
    if (steps != 0 || earlierSteps != 0) throw new IllegalStateException("The accountant can resume only before its first release.");
    if (releases < 0 || !(muSquared >= 0) || Double.isInfinite(muSquared) || (releases == 0) != (muSquared == 0)) {
      throw new IllegalArgumentException("A resumed accountant needs releases ≥ 0 and a finite μ² ≥ 0 (0 exactly when there were none), got "
          + releases + " and " + muSquared + ".");
    }
    earlierSteps = releases;
    earlierMuSquared = muSquared;
  }

  /** Records one more release. */
  public void step() {
    steps++;
  }

  /** Releases recorded so far, those before a resume included. */
  public int steps() {
    return earlierSteps + steps;
  }

  /** μ² of the releases so far: the state to resume from. */
  public double muSquared() {
    return earlierMuSquared + steps / (sigma * sigma);
  }

  /** ε spent so far at {@code delta}; 0 before the first release. */
  public double epsilon(double delta) {
    return steps() == 0 ? 0 : epsilon(muAfter(steps), delta);
  }

  /** ε that one more release would bring the total to, at {@code delta}. */
  public double epsilonAfterNextStep(double delta) {
    return epsilon(muAfter(steps + 1), delta);
  }

  /** μ after {@code own} releases of this σ (and any resumed ones). */
  private double muAfter(int own) {
    return earlierSteps == 0 ? mu(sigma, own) : Math.sqrt(earlierMuSquared + own / (sigma * sigma));
  }

  /** μ = √T / σ of T releases with noise multiplier σ. */
  public static double mu(double sigma, int releases) {
    return Math.sqrt(releases) / sigma;
  }

  /** δ(ε) of a μ-GDP mechanism. */
  public static double delta(double mu, double epsilon) {
    if (!(mu > 0)) throw new IllegalArgumentException("μ must be > 0, got " + mu + ".");
    double d = PHI.cumulativeProbability(-epsilon / mu + mu / 2) - Math.exp(epsilon) * PHI.cumulativeProbability(-epsilon / mu - mu / 2);
    return Math.max(0, d);
  }

  /** The smallest ε ≥ 0 with δ(ε) ≤ {@code delta} for a μ-GDP mechanism. */
  public static double epsilon(double mu, double delta) {
    if (!(delta > 0 && delta < 1)) throw new IllegalArgumentException("δ must be in (0, 1), got " + delta + ".");
    if (delta(mu, 0) <= delta) return 0;
    double lo = 0;
    double hi = 1;
    while (delta(mu, hi) > delta) {
      lo = hi;
      hi *= 2;
      if (hi > 1e6) return Double.POSITIVE_INFINITY;
    }
    for (int i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
      double mid = (lo + hi) / 2;
      if (delta(mu, mid) > delta) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /**
   * The noise multiplier σ for which {@code releases} releases spend exactly ε at δ: σ = √T / μ* with μ* the μ
   * whose ε(δ) is ε (ε rises with μ).
   */
  public static double calibrateSigma(double epsilon, double delta, int releases) {
    if (releases < 1) throw new IllegalArgumentException("At least one release must be planned to calibrate σ, got " + releases + ".");
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) throw new IllegalArgumentException("ε must be a finite number > 0, got " + epsilon + ".");
    double lo = 1e-9;
    double hi = 1;
    while (epsilon(hi, delta) < epsilon) hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
      double mid = (lo + hi) / 2;
      if (epsilon(mid, delta) < epsilon) lo = mid;
      else hi = mid;
    }
    // hi gives ε ≥ target by at most the tolerance; the lower end keeps the spend at or under ε.
    return Math.sqrt(releases) / lo;
  }
}
