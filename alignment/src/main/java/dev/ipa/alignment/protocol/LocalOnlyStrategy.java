package dev.ipa.alignment.protocol;

import dev.ipa.alignment.train.GradientPenalty;
import java.util.List;

/**
 * Local-only training: no penalty and no exchange at all. The baseline every federated result is measured
 * against (the fairness report's standalone accuracy). Stateless and thread-safe.
 */
final class LocalOnlyStrategy implements FederationStrategy.Standalone {

  @Override
  public GradientPenalty beforeTraining(List<PeerViews.View> lastExchange) {
    return GradientPenalty.NONE;
  }
}
