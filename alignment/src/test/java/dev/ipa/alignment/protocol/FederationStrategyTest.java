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
  final PeerContext peer = new PeerContext("a", List.of("a", "b"), network, new LocalTrainer(network, RoundProtocolContract.DATA, train, 25, 1e-3, 0), 300, null, RoundProtocolContract.DATA, train, new Suspicions("a"));
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
  void ipasPersonalModelIsThetaFineTunedOnItsOwnDataAndLeavesThetaItsMomentsAndTheCursorAlone() throws Exception {
    IpaSettings ipa = new IpaSettings(0.1, Distance.L2, Weighting.DATA_SIZE, true, 0.0, 1.0);
    LocalTrainer trainer = peer.trainer();
    trainer.trainSteps(3, GradientPenalty.NONE); // mid-epoch, with moments, so that putting them back is tested
    float[] theta = network.copyParams();
    float[] moments = trainer.optimiser().exportMoments();
    int iteration = trainer.optimiser().iteration();
    int epoch = trainer.epoch();
    int cursor = trainer.cursor();

    float[] tuned = new IpaStrategy(ipa, RobustSettings.defaults(), new PersonalSettings(0.1, 2), peer).personal(null);

    assertThat(tuned).isNotEqualTo(theta);
    assertThat(network.copyParams()).containsExactly(theta);
    assertThat(trainer.optimiser().exportMoments()).containsExactly(moments);
    assertThat(trainer.optimiser().iteration()).isEqualTo(iteration);
    assertThat(List.of(trainer.epoch(), trainer.cursor())).containsExactly(epoch, cursor);
    // The same two steps from the same state: the personal model is made again bit for bit (as after a restart).
    assertThat(new IpaStrategy(ipa, RobustSettings.defaults(), new PersonalSettings(0.1, 2), peer).personal(null)).containsExactly(tuned);
    assertThat(new IpaStrategy(ipa, RobustSettings.defaults(), new PersonalSettings(0.1, 2, false), peer).personal(null)).as("θ itself").isNull();
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
