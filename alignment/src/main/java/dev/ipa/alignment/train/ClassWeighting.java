package dev.ipa.alignment.train;

import dev.ipa.alignment.data.Dataset;
import java.util.Locale;

/**
 * How the training loss weights each class, for imbalanced labels. {@code none}: every row counts once.
 * {@code balanced}: class c's rows count n / (k · n_c), where n is the number of training rows, n_c those of class
 * c and k the number of classes present (scikit-learn's {@code class_weight="balanced"}), so every present class
 * contributes the same total weight. A class absent from the rows gets weight 0, which no row uses.
 *
 * <p>In a federation each peer weights by its own training rows: they are what its loss sums over, and the
 * counts never leave the peer.
 */
public enum ClassWeighting {
  NONE,
  BALANCED;

  /** Parses {@code none} or {@code balanced}. */
  public static ClassWeighting parse(String spec) {
    return switch (spec.trim().toLowerCase(Locale.ROOT)) {
      case "none" -> NONE;
      case "balanced" -> BALANCED;
      default -> throw new IllegalArgumentException("Unknown class weighting '" + spec + "'; use none or balanced.");
    };
  }

  /** The per-class weights for training on {@code indices} of {@code data}, or null for {@link #NONE}. */
  public float[] weights(Dataset data, int[] indices) {
    if (this == NONE) return null;
    int[] counts = new int[data.numClasses()];
    for (int i : indices) counts[data.label(i)]++;
    return balanced(counts);
  }

  /** Balanced weights n / (k · n_c) for class counts n_c; 0 where n_c = 0. Pure function. */
  public static float[] balanced(int[] counts) {
    long n = 0;
    int present = 0;
    for (int c : counts) {
      n += c;
      if (c > 0) present++;
    }
    float[] w = new float[counts.length];
    for (int c = 0; c < counts.length; c++) w[c] = counts[c] == 0 ? 0f : (float) ((double) n / ((double) present * counts[c]));
    return w;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
