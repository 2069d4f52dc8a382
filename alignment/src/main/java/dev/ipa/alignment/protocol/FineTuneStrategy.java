package dev.ipa.alignment.protocol;

import dev.ipa.alignment.train.GradientPenalty;
import java.util.List;

/**
 * FedAvg + fine-tuning: FedAvg's training and averaging of the global model w, and after the last exchange of each
 * round, w fine-tuned on the peer's own data ({@link PeerContext#fineTuneBest}) gives the personal model the network
 * holds for evaluation. The next round starts again from w with w's optimiser moments; the fine-tuning puts the data
 * cursor back, so w sees the batches FedAvg would. w is the {@link #consensus}.
 *
 * <p>State: w and its optimiser moments; not checkpointed, so a daemon does not run it. Called from the peer's
 * round thread only.
 */
final class FineTuneStrategy implements FederationStrategy {
  private final PersonalSettings settings;
  private final PeerContext peer;
  private final FedAvgStrategy averaging;
  private final int syncs;
  private final ModelSlot global = new ModelSlot();
  private int exchange;

  FineTuneStrategy(PersonalSettings settings, RobustSettings robust, PeerContext peer, int syncs) {
    this.settings = settings;
    this.peer = peer;
    this.averaging = new FedAvgStrategy(robust, peer);
    this.syncs = syncs;
  }

  @Override
  public GradientPenalty beforeTraining(List<PeerViews.View> lastExchange) {
    global.load(peer); // undoes the fine-tuning, if any
    return GradientPenalty.NONE;
  }

  @Override
  public void afterExchange(List<PeerViews.View> received, List<PeerFailure> failures) throws InterruptedException {
    averaging.average(received);
    global.save(peer);
    if (++exchange % syncs != 0) return; // fine-tune once per round, after its last exchange
    peer.network().setParams(peer.fineTuneBest(settings).params());
  }

  @Override
  public float[] consensus() {
    return global.params();
  }
}
