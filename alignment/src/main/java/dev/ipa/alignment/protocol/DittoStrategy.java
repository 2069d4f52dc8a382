package dev.ipa.alignment.protocol;

import dev.ipa.alignment.penalty.AlignmentPenalty;
import dev.ipa.alignment.penalty.Distance;
import dev.ipa.alignment.train.GradientPenalty;
import java.util.List;

/**
 * Ditto (Li et al., ICML 2021), peer-to-peer: the global model w trains and averages exactly as {@link FedAvgStrategy}
 * does (it is what the peer publishes), and after each exchange the personal model v trains the same number of
 * steps, on the same batches, with λ/2·‖v − w‖² towards the new average. v is what the network holds for
 * evaluation; w is the {@link #consensus}. Each model has its own Adam moments ({@link ModelSlot}), and v's pass
 * puts the data cursor back so that w sees the batches FedAvg would.
 *
 * <p>State: both models and their optimiser moments; not checkpointed, so a daemon does not run it. Called from the
 * peer's round thread only.
 */
final class DittoStrategy implements FederationStrategy {
  private final PersonalSettings settings;
  private final PeerContext peer;
  private final FedAvgStrategy averaging;
  private final int syncs;
  private final ModelSlot global = new ModelSlot();
  private final ModelSlot personal = new ModelSlot();
  private int exchange;

  DittoStrategy(PersonalSettings settings, RobustSettings robust, PeerContext peer, int syncs) {
    this.settings = settings;
    this.peer = peer;
    this.averaging = new FedAvgStrategy(robust, peer);
    this.syncs = syncs;
  }

  @Override
  public GradientPenalty beforeTraining(List<PeerViews.View> lastExchange) {
    if (personal.params() == null) personal.save(peer); // v starts where w does: the shared initial weights
    global.load(peer);
    return GradientPenalty.NONE;
  }

  @Override
  public void afterExchange(List<PeerViews.View> received, List<PeerFailure> failures) throws InterruptedException {
    float[] w = averaging.average(received);
    global.save(peer);
    int share = FederatedPeer.share(peer.trainer().stepsPerEpoch(), syncs, exchange++ % syncs);
    int epoch = peer.trainer().epoch();
    int cursor = peer.trainer().cursor();
    personal.load(peer);
    float[][] anchor = {w};
    double[] c = {settings.dittoLambda() / 2};
    peer.train(share, settings.dittoLambda() == 0 ? GradientPenalty.NONE
        : (params, grads) -> AlignmentPenalty.addGradient(params, grads, anchor, c, Distance.L2));
    peer.trainer().seek(epoch, cursor);
    personal.save(peer);
  }

  @Override
  public float[] consensus() {
    return global.params();
  }
}
