package dev.ipa.alignment.penalty;

import java.util.Locale;

/** The distance D(θ_i, θ_j) the alignment term uses. */
public enum Distance {
  /** Σ|θ_i − θ_j|, the IPA paper's choice for non-IID data. */
  L1,
  /** Σ(θ_i − θ_j)², squared Euclidean; suits IID data. */
  L2;

  public static Distance parse(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "l1" -> L1;
      case "l2" -> L2;
      default -> throw new IllegalArgumentException("Unknown distance '" + s + "'; use l1 or l2.");
    };
  }
}
