package dev.ipa.alignment.protocol;

import dev.ipa.alignment.penalty.Aggregation;
import java.util.ArrayList;
import java.util.List;

/**
 * The defences a strategy applies to its neighbours' snapshots before it aligns to them ({@link RobustSettings}):
 * trust gating on the local validation split (FLTrust's idea, Cao et al. 2021, without a server), then clipping
 * of each distance θ̃_j − θ_i to a multiple of the median distance. The consensus itself is trimmed coordinate-wise
 * by the strategy ({@link Aggregation#trimmedProximalStep}). The math is in {@link Aggregation}; this class only
 * orchestrates it and reports what it did to {@link Suspicions}.
 *
 * <p>Trust needs at least two neighbours and clipping at least three values: below that, the upper median is the
 * largest value, so neither could ever act, and the validation passes are skipped.
 *
 * <p>Called from the peer's round thread only; holds no state between calls.
 */
final class RobustAlignment {
  /** The neighbours kept and their (possibly clipped) targets, in the same order. */
  record Kept(List<PeerViews.View> views, float[][] targets) {}

  private final RobustSettings settings;
  private final PeerContext peer;

  RobustAlignment(RobustSettings settings, PeerContext peer) {
    this.settings = settings;
    this.peer = peer;
  }

  /** Whether the consensus is trimmed: defences on and a fraction set. */
  double trim() {
    return settings.enabled() ? settings.trim() : 0;
  }

  /**
   * Whether {@code v} repeats its sender's previous snapshot exactly, under a later round or exchange: a replay (the
   * {@code stale} attack), since training moves every parameter vector it publishes. A frozen peer (patience ran
   * out) repeats itself too and is left out the same way; what it learnt is already in the others' models.
   */
  private static boolean replayed(PeerViews.View v) {
    PeerViews.View p = v.previous();
    return p != null && (p.round() != v.round() || p.sync() != v.sync()) && java.util.Arrays.equals(v.params(), p.params());
  }

  /**
   * Drops the neighbours whose snapshot is a replay of their previous one, or does far worse on the local validation split than the median, and clips
   * the distances of the rest.
   *
   * @param views   the neighbours' snapshots
   * @param targets what to align to for each (the snapshot, possibly extrapolated)
   */
  Kept filter(List<PeerViews.View> views, float[][] targets) throws InterruptedException {
    if (!settings.enabled() || views.isEmpty()) return new Kept(views, targets);
    if (views.size() >= 2) {
      List<PeerViews.View> fresh = new ArrayList<>();
      List<float[]> freshTargets = new ArrayList<>();
      for (int j = 0; j < views.size(); j++) {
        PeerViews.View v = views.get(j);
        if (replayed(v)) {
          peer.suspicions().suspected(v.peer(), String.format("its snapshot of round %d, exchange %d is bit for bit the one before it (round %d,"
              + " exchange %d): a peer that trains sends a new model every exchange; left out of this exchange", v.round(), v.sync(),
              v.previous().round(), v.previous().sync()));
        } else {
          fresh.add(v);
          freshTargets.add(targets[j]);
        }
      }
      views = fresh;
      targets = freshTargets.toArray(float[][]::new);
      if (views.isEmpty()) return new Kept(views, targets);
    }
    List<PeerViews.View> keptViews = new ArrayList<>(views);
    List<float[]> kept = new ArrayList<>(List.of(targets));
    if (settings.trustFactor() > 0 && views.size() >= 2) {
      double own = peer.validationLoss(null);
      double[] loss = new double[targets.length];
      for (int j = 0; j < loss.length; j++) loss[j] = peer.validationLoss(targets[j]);
      double[] trust = Aggregation.trustGate(own, loss, settings.trustFactor());
      keptViews.clear();
      kept.clear();
      for (int j = 0; j < trust.length; j++) {
        if (trust[j] > 0) {
          keptViews.add(views.get(j));
          kept.add(targets[j]);
        } else {
          peer.suspicions().suspected(views.get(j).peer(), String.format(
              "its snapshot's validation loss %.4g is above %.1f× the median; left out of this exchange", loss[j], settings.trustFactor()));
        }
      }
    }
    float[][] t = kept.toArray(float[][]::new);
    if (settings.clipFactor() > 0 && t.length >= 2) {
      float[] theta = peer.network().copyParams();
      float[][] clipped = Aggregation.clipToMedianDistance(theta, t, settings.clipFactor());
      for (int j = 0; j < t.length; j++) {
        if (clipped[j] != t[j]) {
          peer.suspicions().suspected(keptViews.get(j).peer(), String.format("its distance %.4g was clipped to %.1f× the median distance",
              Aggregation.distance(theta, t[j]), settings.clipFactor()));
        }
      }
      t = clipped;
    }
    return new Kept(keptViews, t);
  }
}
