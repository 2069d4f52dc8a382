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
    Double epsilon) {
  public RoundSummary {
    failures = List.copyOf(failures);
  }
}
