package dev.ipa.alignment.protocol;

import dev.ipa.alignment.model.Metric;
import java.util.Locale;

/**
 * Early-stopping policy, for fairness: peers that contribute little should not gain the most.
 *
 * @param targetAccuracy the federation stops when the first peer's validation accuracy reaches this (the IPA
 *                       paper's mechanism); NaN = off
 * @param patience       a peer whose validation loss has not improved for this many rounds freezes its model but
 *                       keeps serving its last snapshot; 0 = off
 * @param metric         what the target and patience watch on the validation split; null (the default) keeps the
 *                       original rule: the target compares accuracy and patience watches the mean loss. With a
 *                       metric, both watch it (higher is better), and the target is a value of that metric
 * @param contribution   per-peer stops driven by contribution: a peer holding n of the samples, where the largest
 *                       peer it hears from holds n_max, freezes after ⌈R·n/n_max⌉ of the R rounds (at least one) and
 *                       keeps serving its last snapshot, so what a peer takes from the federation grows with what it
 *                       brings (README, "Fairness")
 */
public record EarlyStop(double targetAccuracy, int patience, Metric metric, boolean contribution) {
  public static final EarlyStop NONE = new EarlyStop(Double.NaN, 0);

  /** The original rule: target accuracy, patience on validation loss. */
  public EarlyStop(double targetAccuracy, int patience) {
    this(targetAccuracy, patience, null, false);
  }

  /** Without per-peer contribution stops. */
  public EarlyStop(double targetAccuracy, int patience, Metric metric) {
    this(targetAccuracy, patience, metric, false);
  }

  /** The round after which a peer with {@code size} samples, the largest it hears from holding {@code largest}, freezes: 0-based. */
  public static int contributionRound(int rounds, long size, long largest) {
    return Math.max(1, (int) Math.ceil(rounds * (double) size / Math.max(size, largest))) - 1;
  }

  public EarlyStop {
    if (!Double.isNaN(targetAccuracy) && !(targetAccuracy > 0 && targetAccuracy <= 1)) {
      throw new IllegalArgumentException("The early-stop target accuracy must be in (0, 1], got " + targetAccuracy + ".");
    }
    if (patience < 0) throw new IllegalArgumentException("Early-stop patience must be ≥ 0 rounds, got " + patience + ".");
  }

  /** The same policy watching {@code m} (null: the original rule). */
  public EarlyStop watching(Metric m) {
    return new EarlyStop(targetAccuracy, patience, m, contribution);
  }

  /**
   * Parses {@code none}, {@code target:0.8}, {@code patience:3} or both joined by a comma, optionally with
   * {@code metric:M} ({@link Metric#parse}).
   */
  public static EarlyStop parse(String spec) {
    double target = Double.NaN;
    int patience = 0;
    Metric metric = null;
    boolean contribution = false;
    for (String part : spec.trim().toLowerCase(Locale.ROOT).split(",")) {
      part = part.trim();
      try {
        if (part.equals("none") || part.isEmpty()) continue;
        if (part.startsWith("target:")) target = Double.parseDouble(part.substring(7));
        else if (part.startsWith("patience:")) patience = Integer.parseInt(part.substring(9));
        else if (part.startsWith("metric:")) metric = Metric.parse(part.substring(7));
        else if (part.equals("contribution")) contribution = true;
        else throw new NumberFormatException();
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Bad early-stop policy '" + spec + "'; use none, target:ACC, patience:ROUNDS, contribution, or several joined by commas, e.g. target:0.8,patience:3, optionally with metric:M.");
      }
    }
    return new EarlyStop(target, patience, metric, contribution);
  }

  @Override
  public String toString() {
    java.util.List<String> parts = new java.util.ArrayList<>();
    if (!Double.isNaN(targetAccuracy)) parts.add("target:" + targetAccuracy);
    if (patience != 0) parts.add("patience:" + patience);
    if (contribution) parts.add("contribution");
    if (parts.isEmpty()) return metric == null ? "none" : "metric:" + metric.id();
    if (metric != null) parts.add("metric:" + metric.id());
    return String.join(",", parts);
  }
}
