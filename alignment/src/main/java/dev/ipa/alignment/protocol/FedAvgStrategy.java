package dev.ipa.alignment.protocol;

import dev.ipa.alignment.penalty.Aggregation;
import dev.ipa.alignment.train.GradientPenalty;
import java.util.List;

/**
 * FedAvg done peer-to-peer (McMahan et al. 2017): plain local training, and after each exchange θ becomes the
 * data-size weighted mean of θ and the snapshots received.
 *
 * <p>Stateless; called from the peer's round thread only (see {@link FederationStrategy}).
 */
final class FedAvgStrategy implements FederationStrategy {
  private final PeerContext peer;
  private final RobustAlignment robust;

  FedAvgStrategy(RobustSettings robust, PeerContext peer) {
    this.peer = peer;
    this.robust = new RobustAlignment(robust, peer);
  }

  @Override
  public GradientPenalty beforeTraining(List<PeerViews.View> lastExchange) {
    return GradientPenalty.NONE;
  }

  @Override
  public void afterExchange(List<PeerViews.View> received, List<PeerFailure> failures) throws InterruptedException {
    average(received);
  }

  /**
   * θ ← the data-size weighted mean of θ and {@code received} (after the defences: trust, clipping and a
   * coordinate-wise trimmed mean); returns the mean, a new array.
   */
  float[] average(List<PeerViews.View> received) throws InterruptedException {
    RobustAlignment.Kept kept = robust.filter(received, received.stream().map(PeerViews.View::params).toArray(float[][]::new));
    float[][] others = kept.targets();
    int[] sizes = kept.views().stream().mapToInt(PeerViews.View::dataSize).toArray();
    double trim = robust.trim();
    float[] own = peer.network().copyParams();
    float[] mean = trim > 0 && Aggregation.trimCount(trim, others.length + 1) > 0
        ? Aggregation.trimmedWeightedMean(own, peer.dataSize(), others, sizes, trim)
        : Aggregation.weightedMean(own, peer.dataSize(), others, sizes);
    peer.network().setParams(mean);
    return mean;
  }
}
