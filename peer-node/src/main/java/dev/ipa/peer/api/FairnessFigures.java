package dev.ipa.peer.api;

import dev.ipa.alignment.protocol.StopRecord;
import dev.ipa.peer.checkpoint.RoundSummary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fairness and early-stop figures of one peer for {@code GET /api/fairness} and the dashboard: what it
 * reached, when it was best, how often each neighbour missed an exchange, how stale the snapshots it aligned to
 * were, and who stopped when. An IPA daemon with the default personal model trains its own model alone beside θ, a
 * local-only baseline on its own data; without one {@code localOnlyAccuracy} and {@code gainOverLocalOnly} are
 * null; {@code privacyBudget} is null while differential
 * privacy is off (the dashboard shows its section only when it is not null). Immutable.
 *
 * @param peerId               this peer
 * @param roundsCompleted      rounds in the history
 * @param finalAccuracy        test accuracy after the last round, null before the first
 * @param bestAccuracy         highest test accuracy of any round, null before the first
 * @param bestRound            the round that reached it, -1 before the first
 * @param finalValidationAccuracy accuracy on this peer's own validation split after the last round (its personal figure)
 * @param localOnlyAccuracy    the own model's (training alone) accuracy on this organisation's held-out data after the
 *                             last round, when there is one
 * @param gainOverLocalOnly    the personal model's accuracy on the same data minus that, when known
 * @param missedExchanges      per neighbour, the rounds whose exchange it missed
 * @param maxStaleness         the largest snapshot age (rounds) aligned to in any round
 * @param frozenRounds         rounds in which patience had frozen this peer
 * @param stops                stops this peer recorded: its own and those its neighbours announced
 * @param privacyBudget        privacy budget spent (ε, δ), or null without differential privacy
 */
public record FairnessFigures(
    String peerId,
    int roundsCompleted,
    Double finalAccuracy,
    Double bestAccuracy,
    int bestRound,
    Double finalValidationAccuracy,
    Double localOnlyAccuracy,
    Double gainOverLocalOnly,
    Map<String, Integer> missedExchanges,
    int maxStaleness,
    int frozenRounds,
    List<StopRecord> stops,
    Map<String, Double> privacyBudget) {

  static FairnessFigures of(String peerId, List<RoundSummary> history, List<StopRecord> stops) {
    Double best = null;
    int bestRound = -1;
    int staleness = 0;
    int frozen = 0;
    Map<String, Integer> missed = new LinkedHashMap<>();
    for (RoundSummary r : history) {
      if (best == null || r.testAccuracy() > best) {
        best = r.testAccuracy();
        bestRound = r.round();
      }
      staleness = Math.max(staleness, r.maxStaleness());
      if (r.frozen()) frozen++;
      for (String f : r.failures()) missed.merge(f.substring(0, Math.max(0, f.indexOf(':'))), 1, Integer::sum);
    }
    RoundSummary last = history.isEmpty() ? null : history.get(history.size() - 1);
    return new FairnessFigures(peerId, history.size(), last == null ? null : last.testAccuracy(), best, bestRound,
        last == null ? null : last.validationAccuracy(), last == null ? null : last.localOnlyPersonalAccuracy(),
        last == null || last.localOnlyPersonalAccuracy() == null || last.personalAccuracy() == null ? null
            : last.personalAccuracy() - last.localOnlyPersonalAccuracy(), missed, staleness, frozen, List.copyOf(stops), null);
  }
}
