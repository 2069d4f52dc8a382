package dev.ipa.alignment.protocol;

import dev.ipa.alignment.model.Evaluation;

/**
 * One peer's running state under an {@link EarlyStop} policy: the best validation loss so far, the rounds
 * without improvement, whether patience froze the peer, and whether it reached the target accuracy (which it
 * announces once). The peer turns what {@link #observe} reports into stop records and notices.
 *
 * <p>Lifecycle: one per peer, fed each round's validation result in round order. Not thread-safe: the peer's
 * round thread owns it.
 */
public final class EarlyStopping {
  /** A smaller change of validation loss does not count as an improvement. */
  static final double MIN_IMPROVEMENT = 1e-6;

  private final EarlyStop policy;
  private double bestValidationLoss = Double.POSITIVE_INFINITY;
  private int roundsWithoutImprovement;
  private boolean frozen;
  private boolean targetReached;

  public EarlyStopping(EarlyStop policy) {
    this.policy = policy;
  }

  /**
   * What one round's validation changed.
   *
   * @param reachedTarget the target accuracy was reached in this round, for the first time
   * @param froze         patience ran out in this round: the peer is frozen from now on
   */
  public record Outcome(boolean reachedTarget, boolean froze) {}

  /**
   * Records a round's validation result under the policy's metric: with none, target accuracy and patience on
   * the loss ({@link #observe(double, double)}); with one, target and patience both on it (higher is better).
   */
  public Outcome observe(Evaluation validation) {
    if (policy.metric() == null) return observe(validation.accuracy(), validation.meanLoss());
    double score = policy.metric().of(validation);
    // A NaN score (e.g. AUC on a validation split of one class) never improves and never reaches the target.
    return observe(score, Double.isNaN(score) ? Double.NaN : -score);
  }

  /** Records a round's validation accuracy and mean loss; returns what changed. */
  public Outcome observe(double accuracy, double loss) {
    boolean reached = false;
    if (!Double.isNaN(policy.targetAccuracy()) && accuracy >= policy.targetAccuracy() && !targetReached) {
      targetReached = true;
      reached = true;
    }
    boolean froze = false;
    if (policy.patience() > 0 && !frozen) {
      if (loss < bestValidationLoss - MIN_IMPROVEMENT) {
        bestValidationLoss = loss;
        roundsWithoutImprovement = 0;
      } else if (++roundsWithoutImprovement >= policy.patience()) {
        frozen = true;
        froze = true;
      }
    }
    return new Outcome(reached, froze);
  }

  public EarlyStop policy() {
    return policy;
  }

  /** Freezes the peer from now on (its contribution stop); returns whether it was not frozen before. */
  public boolean freeze() {
    boolean was = frozen;
    frozen = true;
    return !was;
  }

  /** Whether patience ran out: the peer no longer trains but keeps serving its last snapshot. */
  public boolean frozen() {
    return frozen;
  }

  /** Whether the target accuracy was reached in some round. */
  public boolean targetReached() {
    return targetReached;
  }

  public double bestValidationLoss() {
    return bestValidationLoss;
  }

  public int roundsWithoutImprovement() {
    return roundsWithoutImprovement;
  }
}
