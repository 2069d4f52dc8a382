package dev.ipa.alignment.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.penalty.Distance;
import dev.ipa.alignment.penalty.Weighting;
import dev.ipa.alignment.train.GradientPenalty;
import dev.ipa.alignment.train.LocalTrainer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each strategy on its own, against one hand-made neighbour: what it does to θ and which penalty it returns. */
class FederationStrategyTest {
  final Network network = Network.create(new Architecture("mlp", 1, 4, 4, 3, List.of(8)), 5);
  final int[] train = java.util.stream.IntStream.range(0, 150).toArray();
  // Two peers of 150 samples each: data-size weights are 1/2 for both.
  final PeerContext peer = new PeerContext("a", List.of("a", "b"), network, new LocalTrainer(network, RoundProtocolContract.DATA, train, 25, 1e-3, 0), 300, null, RoundProtocolContract.DATA, train, new Suspicions("a"), () -> null);
  final float[] start = network.copyParams();

  /** b's snapshot: a's parameters shifted by {@code by}. */
  PeerViews.View neighbour(float by) {
    float[] p = start.clone();
    for (int i = 0; i < p.length; i++) p[i] += by;
    return new PeerViews.View("b", p, null, 0, 0, 1, 150);
  }

  @Test
  void fedAvgTrainsWithoutPenaltyAndAveragesAfterTheExchange() throws Exception {
    FedAvgStrategy s = new FedAvgStrategy(RobustSettings.defaults(), peer);
    assertThat(s.beforeTraining(List.of(neighbour(1f)))).isSameAs(GradientPenalty.NONE);
    assertThat(network.copyParams()).as("nothing moves before training").containsExactly(start);
    s.afterExchange(List.of(neighbour(1f)), List.of());
    float[] now = network.copyParams();
    for (int i = 0; i < now.length; i++) assertThat(now[i]).isCloseTo(start[i] + 0.5f, within(1e-6f));
  }

  @Test
  void fedProxPullsTowardsTheLastAverageOnlyOnceThereIsOne() throws Exception {
    FedProxStrategy s = new FedProxStrategy(new FedProxSettings(0.2), RobustSettings.defaults(), peer);
    assertThat(s.beforeTraining(List.of())).as("no average yet").isSameAs(GradientPenalty.NONE);
    s.afterExchange(List.of(neighbour(1f)), List.of());
    float[] anchor = network.copyParams();
    float[] params = anchor.clone();
    for (int i = 0; i < params.length; i++) params[i] += 1f;
    float[] grads = new float[params.length];
    s.beforeTraining(List.of()).addTo(params, grads);
    // ∂/∂θ of μ/2·‖θ − θ_avg‖² = μ·(θ − θ_avg) = 0.2 everywhere.
    for (float g : grads) assertThat(g).isCloseTo(0.2f, within(1e-6f));
    assertThat(new FedProxStrategy(new FedProxSettings(0), RobustSettings.defaults(), peer).beforeTraining(List.of())).as("μ = 0").isSameAs(GradientPenalty.NONE);
  }

  @Test
  void ipaTakesTheProximalStepBeforeTrainingAndLeavesThetaAloneAtTheExchange() throws InterruptedException {
    IpaStrategy s = new IpaStrategy(new IpaSettings(0.0, Distance.L2, Weighting.DATA_SIZE, true, 0.0, 1.0), RobustSettings.defaults(), PersonalSettings.defaults(), peer);
    // mix = 1, own weight 1/2, one neighbour of weight 1/2: θ moves to the mean of the two; λ = 0: no gradient term.
    assertThat(s.beforeTraining(List.of(neighbour(1f)))).isSameAs(GradientPenalty.NONE);
    float[] now = network.copyParams();
    for (int i = 0; i < now.length; i++) assertThat(now[i]).isCloseTo(start[i] + 0.5f, within(1e-6f));
    s.afterExchange(List.of(neighbour(3f)), List.of());
    assertThat(network.copyParams()).containsExactly(now);
  }

  @Test
  void withALossyCodecIpaMixesThePublishedViewsAndKeepsWhatItsCodecHasNotSentYet() throws InterruptedException {
    // The receivers hold r = θ − 0.25 of this peer (a lossy codec's view), and b's view is θ + 1.
    float[] published = start.clone();
    for (int i = 0; i < published.length; i++) published[i] -= 0.25f;
    PeerContext lossy = new PeerContext("a", List.of("a", "b"), network, peer.trainer(), 300, null, RoundProtocolContract.DATA, train,
        new Suspicions("a"), () -> published);
    IpaStrategy s = new IpaStrategy(new IpaSettings(0.0, Distance.L2, Weighting.DATA_SIZE, true, 0.0, 1.0), RobustSettings.defaults(), PersonalSettings.defaults(), lossy);
    s.afterExchange(List.of(neighbour(1f)), List.of());
    // The consensus is the mean of the published views, the own included: (θ − 0.25 + θ + 1) / 2 = θ + 0.375, the
    // same model b computes from the same two views; the mean with θ itself would be θ + 0.5.
    float[] consensus = s.consensus();
    for (int i = 0; i < consensus.length; i++) assertThat(consensus[i]).isCloseTo(start[i] + 0.375f, within(1e-6f));
    // The step moves θ to that consensus and keeps the residual θ − r = 0.25 for error feedback to send: θ + 0.625.
    s.beforeTraining(List.of(neighbour(1f)));
    float[] now = network.copyParams();
    for (int i = 0; i < now.length; i++) assertThat(now[i]).isCloseTo(start[i] + 0.625f, within(1e-6f));
  }

  @Test
  void ipasPersonalModelIsThetaFineTunedOnItsOwnDataAndLeavesThetaItsMomentsAndTheCursorAlone() throws Exception {
    IpaSettings ipa = new IpaSettings(0.1, Distance.L2, Weighting.DATA_SIZE, true, 0.0, 1.0);
    LocalTrainer trainer = peer.trainer();
    trainer.trainSteps(3, GradientPenalty.NONE); // mid-epoch, with moments, so that putting them back is tested
    float[] theta = network.copyParams();
    float[] moments = trainer.optimiser().exportMoments();
    int iteration = trainer.optimiser().iteration();
    int epoch = trainer.epoch();
    int cursor = trainer.cursor();

    float[] tuned = new IpaStrategy(ipa, RobustSettings.defaults(), new PersonalSettings(0.1, 2, 3, PersonalSettings.IpaPersonal.FINE_TUNED), peer).personal(null);

    assertThat(tuned).isNotEqualTo(theta);
    assertThat(network.copyParams()).containsExactly(theta);
    assertThat(trainer.optimiser().exportMoments()).containsExactly(moments);
    assertThat(trainer.optimiser().iteration()).isEqualTo(iteration);
    assertThat(List.of(trainer.epoch(), trainer.cursor())).containsExactly(epoch, cursor);
    // The same two steps from the same state: the personal model is made again bit for bit (as after a restart).
    assertThat(new IpaStrategy(ipa, RobustSettings.defaults(), new PersonalSettings(0.1, 2, 3, PersonalSettings.IpaPersonal.FINE_TUNED), peer).personal(null)).containsExactly(tuned);
    assertThat(new IpaStrategy(ipa, RobustSettings.defaults(), new PersonalSettings(0.1, 2, 3, PersonalSettings.IpaPersonal.THETA), peer).personal(null)).as("θ itself").isNull();
  }

  @Test
  void theValidationSelectedFineTuningKeepsTheBestEpochAndPutsTheStateBack() throws Exception {
    IpaSettings ipa = new IpaSettings(0.1, Distance.L2, Weighting.DATA_SIZE, true, 0.0, 1.0);
    LocalTrainer trainer = peer.trainer();
    trainer.trainSteps(2, GradientPenalty.NONE); // mid-epoch, with moments
    ModelSlot theta = new ModelSlot();
    theta.save(peer);
    int epoch = trainer.epoch();
    int cursor = trainer.cursor();
    PersonalSettings fourEpochs = new PersonalSettings(0.1, 0, 4, PersonalSettings.IpaPersonal.FINE_TUNED);

    PeerContext.Tuned best = peer.fineTuneBest(fourEpochs);
    assertThat(List.of(trainer.epoch(), trainer.cursor())).as("the cursor goes back").containsExactly(epoch, cursor);
    theta.load(peer);
    assertThat(best.validationAccuracy()).as("never worse than where it started").isGreaterThanOrEqualTo(peer.validationAccuracy(theta.params()));
    assertThat(peer.validationAccuracy(best.params())).isEqualTo(best.validationAccuracy());
    // Exactly one epoch from the same state: the first model the selection tried, so it scores no better.
    float[] oneEpoch = peer.fineTuneBest(new PersonalSettings(0.1, trainer.stepsPerEpoch(), 1, PersonalSettings.IpaPersonal.FINE_TUNED)).params();
    theta.load(peer);
    assertThat(peer.validationAccuracy(oneEpoch)).isLessThanOrEqualTo(best.validationAccuracy());

    // IPA's personal model: the best of θ and the consensus, each fine-tuned the same way.
    float[] tuned = new IpaStrategy(ipa, RobustSettings.defaults(), fourEpochs, peer).personal(null);
    assertThat(tuned).as("no consensus: θ fine-tuned, made again bit for bit").containsExactly(best.params());
    assertThat(network.copyParams()).as("θ back bit for bit").containsExactly(theta.params());
    assertThat(trainer.optimiser().exportMoments()).as("and its moments").containsExactly(theta.state().moments());
    peer.train(40 * trainer.stepsPerEpoch(), GradientPenalty.NONE);
    float[] consensus = network.copyParams(); // a consensus that validates far better than θ
    theta.load(peer);
    trainer.seek(epoch, cursor);
    double consensusAccuracy = peer.validationAccuracy(consensus);
    assertThat(consensusAccuracy).isGreaterThan(best.validationAccuracy());
    float[] mine = new IpaStrategy(ipa, RobustSettings.defaults(), fourEpochs, peer).personal(consensus);
    assertThat(peer.validationAccuracy(mine)).isGreaterThanOrEqualTo(consensusAccuracy);
    assertThat(network.copyParams()).containsExactly(theta.params());
  }

  @Test
  void ipasOwnModelIsTheModelThePeerWouldHaveTrainedAloneBitForBit() throws Exception {
    IpaSettings ipa = new IpaSettings(0.1, Distance.L2, Weighting.DATA_SIZE, true, 0.0, 1.0);
    Network alone = Network.create(new Architecture("mlp", 1, 4, 4, 3, List.of(8)), 5);
    LocalTrainer aloneTrainer = new LocalTrainer(alone, RoundProtocolContract.DATA, train, 25, 1e-3, 0);
    assertThat(alone.copyParams()).as("the same initial weights").containsExactly(start);
    LocalTrainer trainer = peer.trainer();
    IpaStrategy s = new IpaStrategy(ipa, RobustSettings.defaults(), PersonalSettings.defaults(), peer);
    assertThat(s.track()).as("nothing before the first share").isNull();
    // Two rounds of two shares of a 6-step epoch, aligned to a neighbour; in the second the peer is frozen.
    for (int share = 0; share < 4; share++) {
      boolean frozen = share >= 2;
      int epoch = trainer.epoch();
      int cursor = trainer.cursor();
      float[] theta = network.copyParams();
      s.beforeShare(3, frozen);
      assertThat(network.copyParams()).as("θ untouched").containsExactly(theta);
      if (frozen) continue;
      assertThat(List.of(trainer.epoch(), trainer.cursor())).as("θ sees the batches it would").containsExactly(epoch, cursor);
      peer.train(3, s.beforeTraining(List.of(neighbour(1f))));
      s.afterExchange(List.of(neighbour(1f)), List.of());
    }
    aloneTrainer.trainSteps(12, GradientPenalty.NONE);
    ModelState own = s.track();
    assertThat(own.params()).as("the own model is local-only training").containsExactly(alone.copyParams());
    assertThat(own.moments()).containsExactly(aloneTrainer.optimiser().exportMoments());
    assertThat(own.iteration()).isEqualTo(12);

    // Restored into a fresh strategy (a daemon's restart), it is the same candidate for the personal model.
    IpaStrategy restored = new IpaStrategy(ipa, RobustSettings.defaults(), PersonalSettings.defaults(), peer);
    restored.restoreTrack(own);
    assertThat(restored.personal(null)).containsExactly(s.personal(null));
  }

  @Test
  void theOwnModelIsThePersonalModelUnlessAFederatedOneValidatesSignificantlyBetter() throws Exception {
    IpaSettings ipa = new IpaSettings(0.0, Distance.L2, Weighting.DATA_SIZE, true, 0.0, 1.0);
    LocalTrainer trainer = peer.trainer();
    ModelSlot theta = new ModelSlot();
    theta.save(peer);
    peer.train(40 * trainer.stepsPerEpoch(), GradientPenalty.NONE);
    ModelSlot trained = new ModelSlot();
    trained.save(peer);
    theta.load(peer);
    trainer.seek(0, 0);
    PersonalSettings oneStep = new PersonalSettings(0.1, 1, 1, PersonalSettings.IpaPersonal.BEST);
    assertThat(peer.validationAccuracy(trained.params())).isGreaterThan(peer.validationAccuracy(theta.params()) + 0.1);
    // The paired sign test: far ahead is significant, the same model or a worse one is not.
    assertThat(peer.significantlyBetter(trained.params(), theta.params())).isTrue();
    assertThat(peer.significantlyBetter(theta.params(), theta.params())).isFalse();
    assertThat(peer.significantlyBetter(theta.params(), trained.params())).isFalse();

    IpaStrategy s = new IpaStrategy(ipa, RobustSettings.defaults(), oneStep, peer);
    s.restoreTrack(trained.state()); // an own model far ahead of θ fine-tuned by one step
    assertThat(s.personal(null)).containsExactly(trained.params());
    assertThat(network.copyParams()).containsExactly(theta.params());
    // A consensus as good as the own model does not replace it: a federated model must validate significantly better.
    assertThat(s.personal(trained.params().clone())).containsExactly(trained.params());

    IpaStrategy weakOwn = new IpaStrategy(ipa, RobustSettings.defaults(), oneStep, peer);
    weakOwn.restoreTrack(theta.state());
    float[] adapted = weakOwn.personal(trained.params().clone());
    assertThat(adapted).as("a better consensus wins, fine-tuned by its one step").isNotEqualTo(theta.params());
    assertThat(peer.validationAccuracy(adapted)).isGreaterThan(peer.validationAccuracy(theta.params()) + 0.1);
    IpaStrategy noOwn = new IpaStrategy(ipa, RobustSettings.defaults(), new PersonalSettings(0.1, 1, 1, PersonalSettings.IpaPersonal.FINE_TUNED), peer);
    noOwn.restoreTrack(trained.state());
    assertThat(noOwn.personal(null)).as("fine-tuned: the own model is no candidate").isNotEqualTo(trained.params());
  }

  @Test
  void withAFairShareAPeerKeepsItsOwnModelMovedItsShareOfTheWayTowardsTheFederatedOne() throws Exception {
    IpaSettings fair = new IpaSettings(0.1, Distance.L2, Weighting.DATA_SIZE, true, 0.0, 1.0, true);
    IpaSettings all = new IpaSettings(0.1, Distance.L2, Weighting.DATA_SIZE, true, 0.0, 1.0, false);
    PeerViews.View b = new PeerViews.View("b", neighbour(1f).params(), null, 0, 0, 1, 600); // claims 4× a's 150 samples
    peer.heard(600);
    PersonalSettings oneStep = new PersonalSettings(0.1, 1, 1, PersonalSettings.IpaPersonal.BEST);

    // θ's proximal step, gradient term and the consensus are those of the run without the fair share.
    IpaStrategy full = new IpaStrategy(all, RobustSettings.defaults(), oneStep, peer);
    IpaStrategy share = new IpaStrategy(fair, RobustSettings.defaults(), oneStep, peer);
    float[] params = start.clone();
    float[] gradsFull = new float[params.length];
    float[] gradsShare = new float[params.length];
    full.beforeTraining(List.of(b)).addTo(params, gradsFull);
    float[] movedFully = network.copyParams();
    network.setParams(start);
    share.beforeTraining(List.of(b)).addTo(params, gradsShare);
    assertThat(network.copyParams()).containsExactly(movedFully);
    assertThat(gradsShare).containsExactly(gradsFull);
    full.afterExchange(List.of(b), List.of());
    share.afterExchange(List.of(b), List.of());
    assertThat(share.consensus()).containsExactly(full.consensus());

    // An own model at the shared initial weights and a consensus trained far ahead of it: the small peer keeps
    // own + ¼·(federated − own), a's 150 samples of b's 600, where federated is what --ipa-personal fine-tuned keeps.
    network.setParams(start);
    ModelSlot initial = new ModelSlot();
    initial.save(peer);
    peer.train(40 * peer.trainer().stepsPerEpoch(), GradientPenalty.NONE);
    ModelSlot trained = new ModelSlot();
    trained.save(peer);
    initial.load(peer);
    peer.trainer().seek(0, 0);
    PersonalSettings fineTuned = new PersonalSettings(0.1, 1, 1, PersonalSettings.IpaPersonal.FINE_TUNED);
    float[] federated = new IpaStrategy(all, RobustSettings.defaults(), fineTuned, peer).personal(trained.params().clone());
    share.restoreTrack(initial.state());
    float[] kept = share.personal(trained.params().clone());
    assertThat(network.copyParams()).as("θ is put back").containsExactly(start);
    for (int i = 0; i < kept.length; i++) assertThat(kept[i]).as("own + ¼·(federated − own)").isCloseTo((float) (start[i] + 0.25 * ((double) federated[i] - start[i])), within(1e-7f));
    assertThat(peer.validationAccuracy(kept)).isGreaterThan(peer.validationAccuracy(start));

    // The largest peer keeps the federated model itself, unless it validates worse than its own model.
    PeerContext largest = new PeerContext("b", List.of("a", "b"), network, new LocalTrainer(network, RoundProtocolContract.DATA, train, 25, 1e-3, 0), 300,
        null, RoundProtocolContract.DATA, train, new Suspicions("b"), () -> null);
    float[] federatedForB = new IpaStrategy(all, RobustSettings.defaults(), fineTuned, largest).personal(trained.params().clone());
    IpaStrategy b1 = new IpaStrategy(fair, RobustSettings.defaults(), oneStep, largest);
    b1.restoreTrack(initial.state());
    assertThat(b1.personal(trained.params().clone())).containsExactly(federatedForB);
    IpaStrategy b2 = new IpaStrategy(fair, RobustSettings.defaults(), oneStep, largest);
    b2.restoreTrack(trained.state()); // an own model far ahead of every federated candidate
    assertThat(b2.personal(start.clone())).as("a share that validates worse than the own model is not kept").containsExactly(trained.params());
  }

  @Test
  void provisionedDataSizesGiveTheLargestSizeBeforeAnySnapshotArrives() {
    SnapshotDecoding decoding = SnapshotDecoding.privateDecoders(FederatedPeer.layoutOf(network));
    FederatedPeer provisioned = new FederatedPeer("a", List.of("a", "b"), FederationSettings.defaults(), network, peer.trainer(),
        RoundProtocolContract.DATA, train, 750, null, decoding, null, java.util.Map.of("a", 9000, "b", 600, "z", 10000), new java.util.Random(0));
    assertThat(provisioned.largestDataSize()).as("b's provisioned 600, as right after a restart; its own entry and non-members do not count")
        .isEqualTo(600);
    FederatedPeer unprovisioned = new FederatedPeer("a", List.of("a", "b"), FederationSettings.defaults(), network, peer.trainer(),
        RoundProtocolContract.DATA, train, 750, null, decoding, null);
    assertThat(unprovisioned.largestDataSize()).as("its own 150 until it hears a claim").isEqualTo(150);
    unprovisioned.restoreView(new PeerViews.View("b", start.clone(), null, 3, 0, 7, 450));
    assertThat(unprovisioned.largestDataSize()).as("a view restored from a checkpoint brings its size back").isEqualTo(450);
  }

  @Test
  void ipaGradientTermPullsTowardsTheExtrapolatedSnapshot() throws Exception {
    IpaStrategy s = new IpaStrategy(new IpaSettings(0.5, Distance.L1, Weighting.DATA_SIZE, true, 1.0, 0.0), RobustSettings.defaults(), PersonalSettings.defaults(), peer);
    assertThat(s.beforeTraining(List.of())).as("nobody to align to").isSameAs(GradientPenalty.NONE);
    // b moved from start + 1 to start + 0.5; extrapolated with γ = 1 it is at start + 0, so θ = start + 0.25 lies
    // above it (sign +1), though it lies below b's latest snapshot.
    PeerViews.View previous = neighbour(1f);
    PeerViews.View latest = neighbour(0.5f);
    PeerViews.View b = new PeerViews.View("b", latest.params(), previous, 1, 0, 2, 150);
    float[] params = start.clone();
    for (int i = 0; i < params.length; i++) params[i] += 0.25f;
    float[] grads = new float[params.length];
    s.beforeTraining(List.of(b)).addTo(params, grads);
    // Normalised, the single neighbour's coefficient is λ = 0.5.
    for (float g : grads) assertThat(g).isEqualTo(0.5f);
    assertThat(network.copyParams()).as("no proximal step with mix = 0").containsExactly(start);
  }

  @Test
  void localOnlyIsStandaloneAndTrainsWithoutPenalty() throws Exception {
    LocalOnlyStrategy s = new LocalOnlyStrategy();
    assertThat(s).isInstanceOf(FederationStrategy.Standalone.class);
    assertThat(s.beforeTraining(List.of(neighbour(1f)))).isSameAs(GradientPenalty.NONE);
  }
}
