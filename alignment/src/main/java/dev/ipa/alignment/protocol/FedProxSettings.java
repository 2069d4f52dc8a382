package dev.ipa.alignment.protocol;

/**
 * FedProx's own parameter (Li et al. 2020), validated once in the compact constructor; immutable.
 *
 * @param mu μ ≥ 0, the strength of the proximal term μ/2·‖θ − θ_avg‖² towards the last averaged model
 */
public record FedProxSettings(double mu) {

  public FedProxSettings {
    if (!(mu >= 0) || Double.isInfinite(mu)) throw new IllegalArgumentException("FedProx μ (--mu) must be a finite number ≥ 0, got " + mu + ".");
  }
}
