package dev.ipa.peer.federation;

import java.util.List;

/**
 * A peer's status for {@code GET /api/status} and the dashboard.
 *
 * @param peerId     this peer
 * @param federation the federation it belongs to
 * @param state      one of {@link PeerState}'s ids: idle, training, waiting, paused, finished, stopped, failed
 * @param reason     one sentence on why it is in that state (whom it waits for, why it finished or failed), or null
 * @param waitingFor neighbours it is waiting for, each with "(down)" or "(paused)"; empty unless waiting
 * @param paused     whether it is paused (by its admin or by a federation-wide pause)
 * @param round      the last completed round, -1 before the first
 * @param rounds     the rounds it was configured to run
 * @param accuracy   test accuracy after that round, null before the first
 * @param loss       test loss after that round, null before the first
 * @param epsilon    differential privacy spent on the published updates, at {@code delta}; null without DP
 * @param delta      the δ of {@code epsilon}; null without DP
 * @param since      ISO-8601 instant the state began
 * @param error      why the federation thread failed, or null
 * @param metric     the metric the peer's early stopping and figures lead with ({@code ipa.federation.metric}; accuracy by default)
 * @param balancedAccuracy test balanced accuracy after that round, null before the first
 * @param macroF1    test macro-F1 after that round, null before the first
 * @param auc        test ROC AUC after that round with two classes, null otherwise
 * @param consensusAccuracy test accuracy of the consensus model after that round (the same as {@code accuracy} where
 *                   the model is its own consensus: FedAvg, FedProx, local-only), null before the first
 * @param personalAccuracy accuracy on this organisation's own held-out data after that round (the shard's local test
 *                   split, or the peer's own test set), null before the first
 */
public record PeerStatus(String peerId, String federation, String state, String reason, List<String> waitingFor, boolean paused,
    int round, int rounds, Double accuracy, Double loss, Double epsilon, Double delta, String since, String error, String metric,
    Double balancedAccuracy, Double macroF1, Double auc, Double consensusAccuracy, Double personalAccuracy) {
  public PeerStatus {
    waitingFor = List.copyOf(waitingFor);
  }
}
