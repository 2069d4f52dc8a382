package dev.ipa.alignment.protocol;

import java.util.Random;

/**
 * The Gaussian mechanism on a peer's published updates (peer-level DP, as DP-FedAvg of McMahan et al. 2018, but
 * for every published update of a serverless federation). At each publication the update u = θ − p, with p the
 * parameters last published (at first the federation's common initial θ₀, which every peer knows), is clipped to
 * L2 norm C and published as p ← p + clip(u) + N(0, σ²C²·I). Whatever happens to p afterwards (compression, error
 * feedback, decoding) is post-processing: the encoder only ever sees the noised p, so its error-feedback state
 * never holds the un-noised update.
 *
 * <p>With a budget, a release that would take ε past it is not made: the mechanism returns the last published p
 * again, which reveals nothing new, and says so once ({@link #exhausted()}). The accountant is its own object
 * ({@link GaussianDpAccountant}), stepped here once per release.
 *
 * <p>Not thread-safe: the peer's round thread owns it, for the peer's lifetime.
 */
public final class GaussianUpdateMechanism {
  private final DpSettings settings;
  private final GaussianDpAccountant accountant;
  private final Random noise;
  private float[] published;
  private boolean exhausted;

  /**
   * @param initial the parameters every peer starts from (copied)
   * @param noise   the noise source; a {@link java.security.SecureRandom} in a daemon, seeded only in simulations
   */
  public GaussianUpdateMechanism(DpSettings settings, float[] initial, Random noise) {
    if (!settings.enabled()) throw new IllegalArgumentException("The Gaussian mechanism needs DP settings with a clipping norm C > 0.");
    this.settings = settings;
    this.accountant = new GaussianDpAccountant(settings.sigma());
    this.noise = noise;
    this.published = initial.clone();
  }

  /** What to publish instead of {@code theta}: a new array (or the last published one again, once the budget is spent). */
  public float[] privatise(float[] theta) {
    if (exhausted || accountant.epsilonAfterNextStep(settings.delta()) > settings.budget()) {
      exhausted = true;
      return published.clone();
    }
    double norm = Math.sqrt(sumOfSquares(theta, published));
    double scale = norm > settings.clip() ? settings.clip() / norm : 1.0;
    double sd = settings.sigma() * settings.clip();
    float[] next = new float[theta.length];
    for (int i = 0; i < next.length; i++) {
      next[i] = (float) (published[i] + scale * ((double) theta[i] - published[i]) + sd * noise.nextGaussian());
    }
    published = next;
    accountant.step();
    return next.clone();
  }

  /**
   * What a checkpoint keeps so that a restarted peer carries on: the releases made and their μ² (the accountant),
   * and the parameters last published (the base of the next update; already public, so keeping them costs no
   * privacy).
   */
  public record State(int releases, double muSquared, float[] published) {
    public State {
      java.util.Objects.requireNonNull(published, "published");
    }
  }

  public State state() {
    return new State(accountant.steps(), accountant.muSquared(), published.clone());
  }

  /**
   * Carries on from {@code s}: ε keeps counting from the releases made before, and a budget they spent stays spent.
   * Call it before the first release.
   */
  public void restore(State s) {
    if (s.published().length != published.length) {
      throw new IllegalArgumentException("The checkpoint's last published parameters have " + s.published().length + " values, the model has " + published.length + ".");
    }
    accountant.resume(s.releases(), s.muSquared());
    published = s.published().clone();
  }

  /** ε spent so far at the configured δ. */
  public double epsilon() {
    return accountant.epsilon(settings.delta());
  }

  /** Whether the budget stopped new releases. */
  public boolean exhausted() {
    return exhausted;
  }

  public int releases() {
    return accountant.steps();
  }

  private static double sumOfSquares(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - b[i];
      s += d * d;
    }
    return s;
  }
}
