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

  FedAvgStrategy(PeerContext peer) {
    this.peer = peer;
  }

  @Override
  public GradientPenalty beforeTraining(List<PeerViews.View> lastExchange) {
    return GradientPenalty.NONE;
  }

  @Override
  public void afterExchange(List<PeerViews.View> received, List<PeerFailure> failures) {
    average(received);
  }

  /** θ ← the data-size weighted mean of θ and {@code received}; returns the mean, a new array. */
  float[] average(List<PeerViews.View> received) {
    float[][] others = received.stream().map(PeerViews.View::params).toArray(float[][]::new);
    int[] sizes = received.stream().mapToInt(PeerViews.View::dataSize).toArray();
    float[] mean = Aggregation.weightedMean(peer.network().copyParams(), peer.dataSize(), others, sizes);
    peer.network().setParams(mean);
    return mean;
  }
}
