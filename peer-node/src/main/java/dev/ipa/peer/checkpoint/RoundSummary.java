package dev.ipa.peer.checkpoint;

import java.util.List;

/**
 * One finished round as the daemon reports and checkpoints it: the round protocol's record plus the test-set
 * evaluation and timing. Stored inside every checkpoint, so the history survives restarts with no round lost
 * and none counted twice.
 *
 * @param round              0-based round
 * @param trainLoss          mean data loss per sample while training
 * @param validationAccuracy accuracy on the local validation split
 * @param validationLoss     mean loss on it
 * @param testAccuracy       accuracy on the test set
 * @param testLoss           mean loss on the test set
 * @param bytesSent          encoded snapshot bytes sent, per receiver
 * @param failures           "peer: reason" for each neighbour that missed an exchange
 * @param maxStaleness       largest snapshot age in rounds aligned to
 * @param frozen             frozen by patience
 * @param stop               why the peer stopped after this round, or null
 * @param durationMillis     wall time of the round
 * @param finishedAt         ISO-8601 instant the round ended
 * @param epsilon            differential privacy spent on the published updates so far, at the configured δ; null
 *                           without DP (and in rounds checkpointed before it was recorded)
 * @param testBalancedAccuracy mean recall per class on the test set; null in checkpoints written before it was measured
 * @param testMacroF1        mean F1 per class on the test set; null likewise
 * @param testAuc            ROC AUC on the test set for two classes; null otherwise
 * @param consensusTestAccuracy accuracy of the peer's consensus model on the test set (IPA: the data-size weighted
 *                           mean of its θ and the snapshots the defences kept at the round's last exchange); null
 *                           where the consensus is the model itself (FedAvg, FedProx, local-only) and in rounds
 *                           checkpointed before it was measured
 * @param consensusTestLoss  its mean loss on the test set; null likewise
 * @param personalAccuracy   accuracy on this organisation's own held-out data: its shard's local test split when
 *                           the daemon was dealt a shard of shared data ({@code ipa.peer.partition}), else its own
 *                           test set (so equal to {@code testAccuracy}); null in rounds checkpointed before it was measured
 * @param consensusPersonalAccuracy the consensus model's accuracy on the same data; null where there is no separate
 *                           consensus, and in older rounds
 * @param localOnlyPersonalAccuracy IPA's own model (trained alone beside θ: local-only training) on the same data;
 *                           null without one (another algorithm or personal model, the ring protocol) and in older rounds
 */
public record RoundSummary(
    int round,
    double trainLoss,
    double validationAccuracy,
    double validationLoss,
    double testAccuracy,
    double testLoss,
    long bytesSent,
    List<String> failures,
    int maxStaleness,
    boolean frozen,
    String stop,
    long durationMillis,
    String finishedAt,
    Double epsilon,
    Double testBalancedAccuracy,
    Double testMacroF1,
    Double testAuc,
    Double consensusTestAccuracy,
    Double consensusTestLoss,
    Double personalAccuracy,
    Double consensusPersonalAccuracy,
    Double localOnlyPersonalAccuracy) {
  public RoundSummary {
    failures = List.copyOf(failures);
  }

  /** A round measured by accuracy and loss only. */
  public RoundSummary(int round, double trainLoss, double validationAccuracy, double validationLoss, double testAccuracy, double testLoss,
      long bytesSent, List<String> failures, int maxStaleness, boolean frozen, String stop, long durationMillis, String finishedAt) {
    this(round, trainLoss, validationAccuracy, validationLoss, testAccuracy, testLoss, bytesSent, failures, maxStaleness, frozen, stop,
        durationMillis, finishedAt, null, null, null, null, null, null, null, null, null);
  }

  /** This round's test figure under {@code m}, or null when it was not measured. */
  public Double test(dev.ipa.alignment.model.Metric m) {
    return switch (m) {
      case ACCURACY -> testAccuracy;
      case BALANCED_ACCURACY -> testBalancedAccuracy;
      case MACRO_F1 -> testMacroF1;
      case AUC -> testAuc;
    };
  }
}
