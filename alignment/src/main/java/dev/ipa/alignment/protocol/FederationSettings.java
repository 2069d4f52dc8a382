package dev.ipa.alignment.protocol;

import dev.ipa.alignment.penalty.Distance;
import dev.ipa.alignment.penalty.Weighting;
import dev.ipa.compression.CodecPolicy;
import dev.ipa.compression.CodecSpec;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything every peer of a federation must agree on: which algorithm runs, how rounds run
 * ({@link CommonSettings}), and each algorithm's own parameters ({@link IpaSettings}, {@link FedProxSettings};
 * FedAvg and local-only have none). Every part validates itself; this record adds the one rule across parts.
 * Carrying every algorithm's parameters lets {@link #with(Algorithm)} run the same setup under another algorithm
 * ({@code --compare}). Immutable.
 *
 * <p>The named defaults live here and only here: {@link #defaults()}, {@link #defaults(Protocol)},
 * {@link #gradientForm()} and {@link #fp32()}.
 *
 * @param algorithm the algorithm every peer runs; {@link #strategy} builds its {@link FederationStrategy}
 * @param common    rounds, exchanges, topology, early stop, timeout, codec, seed, protocol, staleness bound
 * @param ipa       IPA's λ, distance, weighting, normalisation, extrapolation and proximal mix
 * @param fedProx   FedProx's μ
 * @param robust    the defences against a dishonest neighbour ({@link RobustSettings#defaults()}: on)
 * @param dp        differential privacy of the published updates ({@link DpSettings#none()}: off)
 * @param personal  how a peer makes its personal model (IPA's fine-tuning) and the personalisation baselines' parameters
 */
public record FederationSettings(Algorithm algorithm, CommonSettings common, IpaSettings ipa, FedProxSettings fedProx,
    RobustSettings robust, DpSettings dp, PersonalSettings personal) {

  public FederationSettings {
    Objects.requireNonNull(personal, "personal");
    Objects.requireNonNull(robust, "robust");
    Objects.requireNonNull(dp, "dp");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(common, "common");
    Objects.requireNonNull(ipa, "ipa");
    Objects.requireNonNull(fedProx, "fedProx");
    if (dp.enabled() && common.protocol() == Protocol.RING) {
      throw new IllegalArgumentException("Differential privacy (--dp) noises the parallel protocol's published updates; the ring protocol passes θ* on instead. Use --protocol parallel with it, or --dp none.");
    }
    if (ipa.fairShare() && common.protocol() == Protocol.RING) {
      throw new IllegalArgumentException("The contribution-scaled reward (--fair-share) runs in the parallel protocol; use --protocol parallel with it.");
    }
    if (ipa.fairShare() && personal.ipaPersonal() != PersonalSettings.IpaPersonal.BEST) {
      throw new IllegalArgumentException("The contribution-scaled reward (--fair-share) moves the peer's own model towards its federated one, and --ipa-personal "
          + personal.ipaPersonal().id() + " keeps no own model; use --ipa-personal best (a daemon: ipa.peer.personal-model: best) with it.");
    }
    if (ipa.mix() > 0 && common.protocol() == Protocol.RING) {
      throw new IllegalArgumentException("The proximal step (--mix) runs in the parallel protocol; use --protocol parallel with it, or --mix 0.");
    }
  }

  /** The given parts with the default personalisation-baseline parameters. */
  public FederationSettings(Algorithm algorithm, CommonSettings common, IpaSettings ipa, FedProxSettings fedProx, RobustSettings robust,
      DpSettings dp) {
    this(algorithm, common, ipa, fedProx, robust, dp, PersonalSettings.defaults());
  }

  /** The same settings with other personalisation-baseline parameters. */
  public FederationSettings with(PersonalSettings p) {
    return new FederationSettings(algorithm, common, ipa, fedProx, robust, dp, p);
  }

  /** The given parts with the default defences on and DP off. */
  public FederationSettings(Algorithm algorithm, CommonSettings common, IpaSettings ipa, FedProxSettings fedProx) {
    this(algorithm, common, ipa, fedProx, RobustSettings.defaults(), DpSettings.none());
  }

  /** The same settings with other defences. */
  public FederationSettings with(RobustSettings r) {
    return new FederationSettings(algorithm, common, ipa, fedProx, r, dp, personal);
  }

  /** The same settings with other differential-privacy settings. */
  public FederationSettings with(DpSettings d) {
    return new FederationSettings(algorithm, common, ipa, fedProx, robust, d, personal);
  }

  /**
   * The shipped defaults, chosen by the sweep documented in the README: IPA with its proximal step (mix = 1) at
   * each exchange plus a squared-L2 gradient term (λ = 0.1, data-size weights normalised) during training, four
   * exchanges per local epoch, full mesh, fp32 snapshots. On the three reference splits (2 peers disjoint, 5
   * peers Dirichlet 0.3, 10 peers IID) it beat local-only training on global and personal accuracy, where the
   * paper's gradient form (λ = 1, L1) lost on the IID split and on personal accuracy.
   */
  public static FederationSettings defaults() {
    return new FederationSettings(Algorithm.IPA,
        new CommonSettings(20, 4, new Topology.FullMesh(), EarlyStop.NONE, Duration.ofMinutes(5), fp32(), 0, Protocol.PARALLEL, 0),
        new IpaSettings(0.1, Distance.L2, Weighting.DATA_SIZE, true, 0.0, 1.0),
        new FedProxSettings(0.01));
  }

  /**
   * The defaults for a protocol. The ring protocol (the paper's Algorithm 1) has no exchange at which a proximal
   * step could happen, so its defaults are the {@link #gradientForm()}.
   */
  public static FederationSettings defaults(Protocol protocol) {
    if (protocol == Protocol.PARALLEL) return defaults();
    FederationSettings g = gradientForm();
    return new FederationSettings(g.algorithm, g.common.with(Protocol.RING), g.ipa, g.fedProx, g.robust, g.dp, g.personal);
  }

  /**
   * IPA in the paper's gradient form, with the best gradient setting of the sweep: L1, λ = 0.1 with normalised
   * data-size weights, no proximal step, one exchange per epoch. It beats the proximal default where a
   * neighbour's view is coarse (sub-bit tiles, sign deltas sent rarely) and on small shards of a few classes,
   * where training on from the federation's mean forgets the classes a peer lacks.
   */
  public static FederationSettings gradientForm() {
    FederationSettings d = defaults();
    CommonSettings c = d.common;
    IpaSettings i = d.ipa;
    return new FederationSettings(d.algorithm,
        new CommonSettings(c.rounds(), 1, c.topology(), c.earlyStop(), c.exchangeTimeout(), c.codec(), c.seed(), Protocol.PARALLEL, c.staleness()),
        new IpaSettings(0.1, Distance.L1, i.weighting(), i.normalise(), i.extrapolate(), 0.0),
        d.fedProx, d.robust, d.dp, d.personal);
  }

  /** Uncompressed exchange: every snapshot is a full fp32 copy. */
  public static CodecPolicy fp32() {
    return new CodecPolicy(CodecSpec.NONE, 0, CodecSpec.NONE, CodecSpec.NONE, 1);
  }

  /**
   * The same setup under algorithm {@code a}. IPA and local-only keep the protocol; the baselines have no ring
   * form, so they switch to the parallel protocol.
   */
  public FederationSettings with(Algorithm a) {
    return with(a, common.earlyStop());
  }

  /** The same setup under algorithm {@code a} with another early-stop policy (a standalone baseline runs without one). */
  public FederationSettings with(Algorithm a, EarlyStop stop) {
    CommonSettings common = this.common.with(stop);
    Protocol p = a == Algorithm.IPA || a == Algorithm.LOCAL ? common.protocol() : Protocol.PARALLEL;
    return new FederationSettings(a, common.with(p), ipa, fedProx, robust, dp, personal);
  }

  /**
   * The strategy of {@link #algorithm} for one peer: the one place that maps an algorithm id to its class. A new
   * algorithm adds a constant to {@link Algorithm}, a settings record, a strategy class and a case here.
   */
  public FederationStrategy strategy(PeerContext peer) {
    return switch (algorithm) {
      case IPA -> new IpaStrategy(ipa, robust, personal, peer);
      case FEDAVG -> new FedAvgStrategy(robust, peer);
      case FEDPROX -> new FedProxStrategy(fedProx, robust, peer);
      case LOCAL -> new LocalOnlyStrategy();
      case DITTO -> new DittoStrategy(personal, robust, peer, common.syncs());
      case FEDAVG_FT -> new FineTuneStrategy(personal, robust, peer, common.syncs());
    };
  }

  /**
   * The flat form that checkpoints and model provenance have recorded since before the settings were split into
   * parts, kept so that their text stays comparable across versions. The staleness bound, the defences and DP,
   * which were not part of it, are appended only when they differ from their defaults.
   */
  @Override
  public String toString() {
    return "FederationSettings[algorithm=" + algorithm + ", lambda=" + ipa.lambda() + ", distance=" + ipa.distance()
        + ", weighting=" + ipa.weighting() + ", normalise=" + ipa.normalise() + ", extrapolate=" + ipa.extrapolate()
        + ", mu=" + fedProx.mu() + ", syncs=" + common.syncs() + ", topology=" + common.topology() + ", rounds=" + common.rounds()
        + ", earlyStop=" + common.earlyStop() + ", exchangeTimeout=" + common.exchangeTimeout() + ", codec=" + common.codec()
        + ", seed=" + common.seed() + ", protocol=" + common.protocol() + ", mix=" + ipa.mix() + (ipa.fairShare() ? ", fairShare=true" : "")
        + (common.staleness() == 0 ? "" : ", staleness=" + common.staleness())
        + (robust.equals(RobustSettings.defaults()) ? "" : ", robust=" + robust) + (dp.enabled() ? ", dp=" + dp : "")
        + (personal.equals(PersonalSettings.defaults()) ? "" : ", personal=" + personal) + "]";
  }
}
