package dev.ipa.alignment.penalty;

import java.util.Locale;

/**
 * How peers are weighted, in the one rule every protocol step uses ({@link Aggregation#peerWeight}): by data size
 * w_j = |D_j| / Σ|D| over the whole federation (the IPA paper's choice; Σ includes the local peer), or uniformly
 * w_j = 1/n over the n peers of the federation.
 */
public enum Weighting {
  /** |D_j| / Σ|D|, as in the paper. */
  DATA_SIZE,
  /** 1/n for every peer of an n-peer federation. */
  UNIFORM;

  public static Weighting parse(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "data", "data-size", "size" -> DATA_SIZE;
      case "uniform" -> UNIFORM;
      default -> throw new IllegalArgumentException("Unknown peer weighting '" + s + "'; use data-size or uniform.");
    };
  }
}
