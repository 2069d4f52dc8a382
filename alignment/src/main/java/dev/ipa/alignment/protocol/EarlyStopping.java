package dev.ipa.alignment.protocol;

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
