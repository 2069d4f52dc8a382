package dev.ipa.alignment.protocol;

import dev.ipa.alignment.penalty.Aggregation;
import dev.ipa.alignment.penalty.AlignmentPenalty;
import dev.ipa.alignment.penalty.Distance;
import dev.ipa.alignment.train.GradientPenalty;
import java.util.List;

/**
 * Iterative Parameter Alignment (Sun et al.): before each training share, the optional closed-form proximal step
 * towards the neighbours' last snapshots (mix &gt; 0), then training with the gradient term
 * λ·Σ_j w_j·D(θ_i, θ̃_j) towards them (λ &gt; 0); with γ &gt; 0 each snapshot is first extrapolated along its last
 * step. θ is left alone at an exchange. In the ring protocol it takes the turns of the paper's Algorithm 1.
 *
 * <p>With {@link PersonalSettings.IpaPersonal#BEST} (the default) it also trains the peer's <b>personal track</b> v:
 * after each exchange, v trains the share's steps on the same batches with λ/2·‖v − c‖² towards the exchange's
 * consensus c (Ditto's personal objective, with IPA's consensus as the global model), with its own Adam moments,
 * and the data cursor is put back so that θ sees the batches it would without it. v starts at the shared initial
 * weights and is one candidate for the {@link #personal} model; the ring protocol does not train it.
 *
 * <p>State: what the defences kept of the last exchange, for the next share and the {@link #consensus}; the track
 * ({@link #track}, checkpointed by a daemon). Called from the peer's round thread only (see
 * {@link FederationStrategy}).
 */
final class IpaStrategy implements FederationStrategy.RingTurn {
  private final IpaSettings settings;
  private final PersonalSettings personal;
  private final PeerContext peer;
  private final RobustAlignment robust;
  private final int syncs;
  private final ModelSlot track = new ModelSlot();
  private int exchange;
  private List<PeerViews.View> filteredFor; // the exchange afterExchange filtered, and what the defences kept of it
  private RobustAlignment.Kept filtered;

  IpaStrategy(IpaSettings settings, RobustSettings robust, PersonalSettings personal, PeerContext peer, int syncs) {
    this.syncs = syncs;
    this.settings = settings;
    this.personal = personal;
    this.peer = peer;
    this.robust = new RobustAlignment(robust, peer);
  }

  @Override
  public GradientPenalty beforeTraining(List<PeerViews.View> lastExchange) throws InterruptedException {
    // The snapshots (possibly extrapolated) are computed once for both steps, then filtered by the defences; the
    // exchange just before has usually filtered these very views already (afterExchange).
    if (personal.ipaPersonal() == PersonalSettings.IpaPersonal.BEST && track.params() == null) track.save(peer);
    RobustAlignment.Kept kept = lastExchange.equals(filteredFor) ? filtered : filter(lastExchange);
    filteredFor = null;
    filtered = null;
    if (settings.mix() > 0) proximalStep(kept.views(), kept.targets());
    return alignmentPenalty(kept.views(), kept.targets());
  }

  /**
   * Filters the exchange's snapshots at once, so that what the defences found is recorded at the exchange that
   * brought it and the consensus can be computed from what they kept; θ does not move before the next share, so
   * the next {@link #beforeTraining} reuses the result.
   */
  @Override
  public void afterExchange(List<PeerViews.View> received, List<PeerFailure> failures) throws InterruptedException {
    filtered = filter(received);
    filteredFor = received;
    if (personal.ipaPersonal() == PersonalSettings.IpaPersonal.BEST && track.params() != null) trainTrack(consensus());
  }

  /** One share of the personal track towards {@code consensus} (null: none yet, no penalty); θ and the cursor stay. */
  private void trainTrack(float[] consensus) throws InterruptedException {
    int share = FederatedPeer.share(peer.trainer().stepsPerEpoch(), syncs, exchange++ % syncs);
    ModelSlot theta = new ModelSlot();
    theta.save(peer);
    int epoch = peer.trainer().epoch();
    int cursor = peer.trainer().cursor();
    track.load(peer);
    float[][] anchor = {consensus};
    double[] c = {personal.dittoLambda() / 2};
    peer.train(share, consensus == null || personal.dittoLambda() == 0 ? GradientPenalty.NONE
        : (params, grads) -> AlignmentPenalty.addGradient(params, grads, anchor, c, Distance.L2));
    peer.trainer().seek(epoch, cursor);
    track.save(peer);
    theta.load(peer);
  }

  @Override
  public ModelState track() {
    return track.state();
  }

  @Override
  public void restoreTrack(ModelState s) {
    track.restore(s);
  }

  /**
   * The data-size weighted mean of θ and the snapshots the defences kept at the last exchange (a coordinate-wise
   * trimmed mean when trimming is on): FedAvg's aggregate of the latest views, which the proximal step with mix 1
   * moves θ to. Null (θ itself) before any snapshot arrived.
   */
  @Override
  public float[] consensus() {
    if (filtered == null || filtered.views().isEmpty()) return null;
    float[][] others = filtered.targets();
    int[] sizes = sizes(filtered.views());
    float[] own = peer.network().copyParams();
    double trim = robust.trim();
    float[] mean = trim > 0 && Aggregation.trimCount(trim, others.length + 1) > 0
        ? Aggregation.trimmedWeightedMean(own, peer.dataSize(), others, sizes, trim)
        : Aggregation.weightedMean(own, peer.dataSize(), others, sizes);
    double share = share();
    if (share < 1) {
      for (int i = 0; i < mean.length; i++) mean[i] = (float) (own[i] + share * (mean[i] - own[i]));
    }
    return mean;
  }

  /**
   * The share of what the federation gives that this peer takes: n/n_max with contribution-scaled alignment
   * ({@link IpaSettings#fairShare}), else 1.
   */
  private double share() {
    if (!settings.fairShare()) return 1;
    return Math.min(1, peer.dataSize() / (double) Math.max(1, peer.largestDataSize()));
  }

  /**
   * The model this peer deploys, whichever scores highest on the peer's own validation split (the first on a tie):
   * θ fine-tuned on the peer's own data without the alignment penalty ({@link PeerContext#fineTuneBest}), the
   * consensus fine-tuned the same way, and (with {@link PersonalSettings.IpaPersonal#BEST}) the personal track. On
   * IID shards the consensus, barely moved, usually wins; on disjoint shards the track, which learns the peer's own
   * classes without being pulled away from them. θ, its moments and the data cursor are put back. Null when the
   * personal model is θ itself.
   */
  @Override
  public float[] personal(float[] consensus) throws InterruptedException {
    if (personal.ipaPersonal() == PersonalSettings.IpaPersonal.THETA) return null;
    ModelSlot theta = new ModelSlot();
    theta.save(peer);
    PeerContext.Tuned best = peer.fineTuneBest(personal);
    theta.load(peer);
    if (consensus != null) {
      peer.network().setParams(consensus);
      PeerContext.Tuned adapted = peer.fineTuneBest(personal);
      theta.load(peer);
      if (adapted.validationAccuracy() > best.validationAccuracy()) best = adapted;
    }
    float[] v = personal.ipaPersonal() == PersonalSettings.IpaPersonal.BEST ? track.params() : null;
    if (v != null && peer.validationAccuracy(v) > best.validationAccuracy()) return v.clone();
    return best.params();
  }

  private RobustAlignment.Kept filter(List<PeerViews.View> views) throws InterruptedException {
    return robust.filter(views, views.stream().map(this::target).toArray(float[][]::new));
  }

  @Override
  public GradientPenalty turnPenalty(float[][] copies, int[] sizes) {
    double[] c = gradientCoefficients(sizes);
    float step = (float) peer.trainer().learningRate();
    Distance d = settings.distance();
    return (params, grads) -> {
      double v = AlignmentPenalty.addGradient(params, grads, copies, c, d);
      // The same step pulls each copy θ_j towards θ_i (gradient of c_j·D(θ_i, θ_j) w.r.t. θ_j).
      Aggregation.signStepTowards(params, copies, c, step);
      return v;
    };
  }

  /** θ moves to the weighted mean of θ and {@code targets}, the (possibly extrapolated) snapshots of {@code vs}. */
  private void proximalStep(List<PeerViews.View> vs, float[][] targets) {
    if (vs.isEmpty()) return;
    int n = peer.peers().size();
    double own = Aggregation.peerWeight(peer.dataSize(), peer.totalDataSize(), n, settings.weighting());
    double[] w = Aggregation.peerWeights(sizes(vs), peer.totalDataSize(), n, settings.weighting());
    double[] c = Aggregation.proximalCoefficients(own, w, settings.mix() * share(), settings.normalise());
    float[] theta = peer.network().copyParams();
    double trim = robust.trim();
    if (trim > 0 && Aggregation.trimCount(trim, targets.length + 1) > 0) Aggregation.trimmedProximalStep(theta, targets, own, c, trim);
    else Aggregation.proximalStep(theta, targets, own, c);
    peer.network().setParams(theta);
  }

  /** The gradient term towards {@code targets}, the (possibly extrapolated) snapshots of {@code vs}. */
  private GradientPenalty alignmentPenalty(List<PeerViews.View> vs, float[][] targets) {
    if (vs.isEmpty() || settings.lambda() == 0) return GradientPenalty.NONE;
    double[] c = gradientCoefficients(sizes(vs), settings.lambda() * share());
    Distance d = settings.distance();
    return (params, grads) -> AlignmentPenalty.addGradient(params, grads, targets, c, d);
  }

  private double[] gradientCoefficients(int[] sizes) {
    return gradientCoefficients(sizes, settings.lambda());
  }

  private double[] gradientCoefficients(int[] sizes, double lambda) {
    double[] w = Aggregation.peerWeights(sizes, peer.totalDataSize(), peer.peers().size(), settings.weighting());
    return Aggregation.alignmentCoefficients(w, lambda, settings.normalise());
  }

  private float[] target(PeerViews.View v) {
    return Aggregation.extrapolate(v.params(), v.previous() == null ? null : v.previous().params(), settings.extrapolate());
  }

  private static int[] sizes(List<PeerViews.View> vs) {
    return vs.stream().mapToInt(PeerViews.View::dataSize).toArray();
  }
}
