package dev.ipa.alignment.protocol;

import dev.ipa.alignment.penalty.AlignmentPenalty;
import dev.ipa.alignment.penalty.Distance;
import dev.ipa.alignment.train.GradientPenalty;
import java.util.List;

/**
 * FedProx (Li et al. 2020): FedAvg's averaging after each exchange, plus the proximal term μ/2·‖θ − θ_avg‖²
 * towards the last averaged model during local training (none before the first average).
 *
 * <p>State: the last averaged model. Called from the peer's round thread only (see {@link FederationStrategy}).
 */
final class FedProxStrategy implements FederationStrategy {
  private final FedProxSettings settings;
  private final FedAvgStrategy averaging;
  private float[] anchor;

  FedProxStrategy(FedProxSettings settings, PeerContext peer) {
    this.settings = settings;
    this.averaging = new FedAvgStrategy(peer);
  }

  @Override
  public GradientPenalty beforeTraining(List<PeerViews.View> lastExchange) {
    if (anchor == null || settings.mu() == 0) return GradientPenalty.NONE;
    float[][] anchors = {anchor};
    double[] c = {settings.mu() / 2};
    return (params, grads) -> AlignmentPenalty.addGradient(params, grads, anchors, c, Distance.L2);
  }

  @Override
  public void afterExchange(List<PeerViews.View> received, List<PeerFailure> failures) {
    anchor = averaging.average(received);
  }
}
