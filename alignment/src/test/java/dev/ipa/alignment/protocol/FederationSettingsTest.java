package dev.ipa.alignment.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.alignment.penalty.Distance;
import dev.ipa.alignment.penalty.Weighting;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The named defaults, the validation of every part, and the text provenance records. */
class FederationSettingsTest {
  static final String FP32 = "CodecPolicy[codec=none, smallTensorThreshold=0, smallTensorCodec=none, fullSnapshotCodec=none, fullResyncEvery=1]";

  @Test
  void theNamedDefaultsKeepTheirValuesAndTheirProvenanceText() {
    // Recorded from the 16-field record before it was split: checkpoints and packed models carry this text.
    assertThat(FederationSettings.defaults()).hasToString("FederationSettings[algorithm=IPA, lambda=0.1, distance=L2, weighting=DATA_SIZE, normalise=true, "
        + "extrapolate=0.0, mu=0.01, syncs=4, topology=full, rounds=20, earlyStop=none, exchangeTimeout=PT5M, codec=" + FP32 + ", seed=0, "
        + "protocol=PARALLEL, mix=1.0]");
    assertThat(FederationSettings.gradientForm()).hasToString("FederationSettings[algorithm=IPA, lambda=0.1, distance=L1, weighting=DATA_SIZE, "
        + "normalise=true, extrapolate=0.0, mu=0.01, syncs=1, topology=full, rounds=20, earlyStop=none, exchangeTimeout=PT5M, codec=" + FP32
        + ", seed=0, protocol=PARALLEL, mix=0.0]");
    assertThat(FederationSettings.defaults(Protocol.RING)).hasToString("FederationSettings[algorithm=IPA, lambda=0.1, distance=L1, "
        + "weighting=DATA_SIZE, normalise=true, extrapolate=0.0, mu=0.01, syncs=1, topology=full, rounds=20, earlyStop=none, "
        + "exchangeTimeout=PT5M, codec=" + FP32 + ", seed=0, protocol=RING, mix=0.0]");
    assertThat(FederationSettings.defaults(Protocol.PARALLEL)).isEqualTo(FederationSettings.defaults());
    assertThat(FederationSettings.defaults().common().staleness()).isZero();
  }

  @Test
  void aStalenessBoundShowsInTheProvenanceText() {
    FederationSettings d = FederationSettings.defaults();
    CommonSettings c = d.common();
    FederationSettings bounded = new FederationSettings(d.algorithm(),
        new CommonSettings(c.rounds(), c.syncs(), c.topology(), c.earlyStop(), c.exchangeTimeout(), c.codec(), c.seed(), c.protocol(), 2), d.ipa(), d.fedProx());
    assertThat(bounded.toString()).endsWith(", mix=1.0, staleness=2]");
  }

  @Test
  void baselinesSwitchToTheParallelProtocolAndIpaAndLocalKeepTheRing() {
    FederationSettings ring = FederationSettings.defaults(Protocol.RING);
    assertThat(ring.with(Algorithm.FEDAVG).common().protocol()).isEqualTo(Protocol.PARALLEL);
    assertThat(ring.with(Algorithm.FEDPROX).common().protocol()).isEqualTo(Protocol.PARALLEL);
    assertThat(ring.with(Algorithm.LOCAL).common().protocol()).isEqualTo(Protocol.RING);
    assertThat(ring.with(Algorithm.IPA)).isEqualTo(ring);
    FederationSettings fedProx = FederationSettings.defaults().with(Algorithm.FEDPROX);
    assertThat(fedProx.algorithm()).isEqualTo(Algorithm.FEDPROX);
    assertThat(fedProx.fedProx().mu()).isEqualTo(0.01);
    assertThat(fedProx.ipa()).as("the other algorithms' parameters travel along, for --compare").isEqualTo(FederationSettings.defaults().ipa());
  }

  @Test
  void eachAlgorithmGetsItsOwnStrategy() {
    FederationSettings d = FederationSettings.defaults();
    assertThat(d.strategy(null)).isInstanceOf(IpaStrategy.class).isInstanceOf(FederationStrategy.RingTurn.class);
    assertThat(d.with(Algorithm.FEDAVG).strategy(null)).isInstanceOf(FedAvgStrategy.class).isNotInstanceOf(FederationStrategy.RingTurn.class);
    assertThat(d.with(Algorithm.FEDPROX).strategy(null)).isInstanceOf(FedProxStrategy.class);
    assertThat(d.with(Algorithm.LOCAL).strategy(null)).isInstanceOf(FederationStrategy.Standalone.class);
  }

  @Test
  void everyPartRejectsBadValuesWithOneSentence() {
    assertThatThrownBy(() -> ipa(-1, 0)).hasMessage("λ (--lambda) must be a finite number ≥ 0, got -1.0.");
    assertThatThrownBy(() -> ipa(Double.POSITIVE_INFINITY, 0)).hasMessageContaining("λ (--lambda) must be a finite number ≥ 0");
    assertThatThrownBy(() -> ipa(0.1, -0.5)).hasMessage("The proximal step (--mix) must be a finite number ≥ 0, got -0.5.");
    assertThatThrownBy(() -> new IpaSettings(0.1, Distance.L1, Weighting.UNIFORM, true, Double.NaN, 0))
        .hasMessageContaining("The staleness extrapolation γ must be a finite number ≥ 0");
    assertThatThrownBy(() -> new FedProxSettings(-1)).hasMessage("FedProx μ (--mu) must be a finite number ≥ 0, got -1.0.");
    assertThatThrownBy(() -> common(0, 1, Duration.ofSeconds(1), 0)).hasMessage("Rounds (--rounds) must be ≥ 1, got 0.");
    assertThatThrownBy(() -> common(1, 0, Duration.ofSeconds(1), 0)).hasMessage("Exchanges per epoch (--syncs) must be ≥ 1, got 0.");
    assertThatThrownBy(() -> common(1, 1, Duration.ZERO, 0)).hasMessageContaining("The exchange timeout must be positive");
    assertThatThrownBy(() -> common(1, 1, Duration.ofSeconds(1), -1)).hasMessage("The staleness bound must be ≥ 0 rounds (0 = synchronous), got -1.");
  }

  @Test
  void theProximalStepIsRejectedInTheRing() {
    FederationSettings d = FederationSettings.defaults();
    assertThatThrownBy(() -> new FederationSettings(Algorithm.IPA, d.common().with(Protocol.RING), d.ipa(), d.fedProx()))
        .hasMessageContaining("The proximal step (--mix) runs in the parallel protocol");
  }

  @Test
  void theFairShareNeedsTheOwnModelAndTheParallelProtocol() {
    FederationSettings d = FederationSettings.defaults();
    IpaSettings fair = new IpaSettings(0.1, Distance.L2, Weighting.DATA_SIZE, true, 0.0, 1.0, true);
    FederationSettings ok = new FederationSettings(Algorithm.IPA, d.common(), fair, d.fedProx());
    assertThat(ok.ipa().fairShare()).isTrue();
    assertThatThrownBy(() -> ok.with(new PersonalSettings(0.1, 0, 3, PersonalSettings.IpaPersonal.THETA)))
        .hasMessage("The contribution-scaled reward (--fair-share) moves the peer's own model towards its federated one, and --ipa-personal theta "
            + "keeps no own model; use --ipa-personal best (a daemon: ipa.peer.personal-model: best) with it.");
    IpaSettings ring = new IpaSettings(0.1, Distance.L1, Weighting.DATA_SIZE, true, 0.0, 0.0, true);
    assertThatThrownBy(() -> new FederationSettings(Algorithm.IPA, d.common().with(Protocol.RING), ring, d.fedProx()))
        .hasMessageContaining("(--fair-share) runs in the parallel protocol");
  }

  static IpaSettings ipa(double lambda, double mix) {
    return new IpaSettings(lambda, Distance.L1, Weighting.DATA_SIZE, true, 0.0, mix);
  }

  static CommonSettings common(int rounds, int syncs, Duration timeout, int staleness) {
    return new CommonSettings(rounds, syncs, new Topology.FullMesh(), EarlyStop.NONE, timeout, FederationSettings.fp32(), 0, Protocol.PARALLEL, staleness);
  }
}
