package dev.ipa.alignment.protocol;

import java.util.List;

/**
 * What one peer did in one round.
 *
 * @param peer               peer id
 * @param round              0-based round
 * @param trainLoss          mean data loss per sample over the round's training
 * @param validationAccuracy accuracy on the peer's local validation split after the round
 * @param validationLoss     mean loss on it
 * @param bytesSent          encoded snapshot bytes this peer sent in the round, per receiver, headers included
 * @param snapshotsSent      snapshots sent in the round, counted per receiver
 * @param failures           neighbours whose snapshots did not arrive in time, per exchange, and every snapshot
 *                           rejected ({@code rejected: …}) or clipped, gated or overridden ({@code suspected: …})
 * @param maxStaleness       the largest age in rounds of a snapshot the peer aligned to at its last exchange
 * @param frozen             whether the peer was frozen by patience (kept serving its last snapshot)
 * @param stop               non-null if the peer stopped after this round
 * @param epsilon            ε spent on its published updates so far at the configured δ; NaN without DP
 */
public record RoundRecord(
    String peer,
    int round,
    double trainLoss,
    double validationAccuracy,
    double validationLoss,
    long bytesSent,
    int snapshotsSent,
    List<PeerFailure> failures,
    int maxStaleness,
    boolean frozen,
    StopRecord stop,
    double epsilon) {}
