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
 * <p>With {@link PersonalSettings.IpaPersonal#BEST} (the default) it also trains the peer's <b>own model</b>: a
 * second model, from the shared initial weights, trained before each of θ's shares on exactly the batches θ is
 * about to see, without any penalty, with its own Adam moments, and the data cursor put back. It is therefore the
 * model the peer would have trained alone, bit for bit, and it goes on training while the peer is frozen by an
 * early stop (what it learns there is the peer's own). It is the fallback {@link #personal} model; the ring
 * protocol does not train it.
 *
 * <p>State: what the defences kept of the last exchange, for the next share and the {@link #consensus}; the own
 * model ({@link #track}, checkpointed by a daemon). Called from the peer's round thread only (see
 * {@link FederationStrategy}).
 */
final class IpaStrategy implements FederationStrategy.RingTurn {
  private final IpaSettings settings;
  private final PersonalSettings personal;
  private final PeerContext peer;
  private final RobustAlignment robust;
  private final ModelSlot track = new ModelSlot();
  private List<PeerViews.View> filteredFor; // the exchange afterExchange filtered, and what the defences kept of it
  private RobustAlignment.Kept filtered;

  IpaStrategy(IpaSettings settings, RobustSettings robust, PersonalSettings personal, PeerContext peer) {
    this.settings = settings;
    this.personal = personal;
    this.peer = peer;
    this.robust = new RobustAlignment(robust, peer);
  }

  @Override
  public GradientPenalty beforeTraining(List<PeerViews.View> lastExchange) throws InterruptedException {
    // The snapshots (possibly extrapolated) are computed once for both steps, then filtered by the defences; the
    // exchange just before has usually filtered these very views already (afterExchange).
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
  }

  /**
   * The own model's share: {@code steps} steps on the batches θ is about to train on (the cursor is put back), or,
   * while the peer is frozen and θ does not train, on the next batches (the cursor moves on, as it would alone).
   */
  @Override
  public void beforeShare(int steps, boolean frozen) throws InterruptedException {
    if (personal.ipaPersonal() != PersonalSettings.IpaPersonal.BEST) return;
    if (track.params() == null) track.save(peer); // the first share: θ is the shared initial weights
    ModelSlot theta = new ModelSlot();
    theta.save(peer);
    int epoch = peer.trainer().epoch();
    int cursor = peer.trainer().cursor();
    track.load(peer);
    peer.train(steps, GradientPenalty.NONE);
    if (!frozen) peer.trainer().seek(epoch, cursor);
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
   * The data-size weighted mean of this peer's published view r with sign deltas (θ itself otherwise, see
   * {@link PeerContext#publishedView}) and the snapshots the defences kept at the last exchange (a coordinate-wise
   * trimmed mean when trimming is on): FedAvg's aggregate of the latest views, the peer's own included, which the
   * proximal step with mix 1 moves θ to. Null (θ itself) before any snapshot arrived.
   */
  @Override
  public float[] consensus() {
    if (filtered == null || filtered.views().isEmpty()) return null;
    float[][] others = filtered.targets();
    int[] sizes = sizes(filtered.views());
    float[] own = peer.publishedView();
    if (own == null) own = peer.network().copyParams();
    double trim = robust.trim();
    return trim > 0 && Aggregation.trimCount(trim, others.length + 1) > 0
        ? Aggregation.trimmedWeightedMean(own, peer.dataSize(), others, sizes, trim)
        : Aggregation.weightedMean(own, peer.dataSize(), others, sizes);
  }

  /**
   * The share of what the federation gives that this peer keeps with {@link IpaSettings#fairShare}: n/n_max, n_max
   * being the largest data size provisioned or heard claimed (the capped, checked claims).
   */
  private double share() {
    return Math.min(1, peer.dataSize() / (double) Math.max(1, peer.largestDataSize()));
  }

  /**
   * The model this peer deploys: its own model (with {@link PersonalSettings.IpaPersonal#BEST}), unless the better
   * on the peer's own validation split (θ's on a tie) of θ fine-tuned on the peer's own data without the alignment
   * penalty ({@link PeerContext#fineTuneBest}) and the consensus fine-tuned the same way is significantly better
   * than the own model there ({@link PeerContext#significantlyBetter}). On IID shards the consensus, barely moved,
   * usually wins; on shards of a few classes the own model often does, and the federation then costs the peer
   * nothing on its own data. With {@link IpaSettings#fairShare} it is instead the own model moved the share
   * s = n/n_max of the way towards that better federated model ({@link #fairShare}). θ, its moments and the data
   * cursor are put back. Null when the personal model is θ itself.
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
    float[] own = personal.ipaPersonal() == PersonalSettings.IpaPersonal.BEST ? track.params() : null;
    if (settings.fairShare() && own != null) return fairShare(own, best.params());
    if (own != null && !peer.significantlyBetter(best.params(), own)) return own.clone();
    return best.params();
  }

  /**
   * The fair share of the federated model {@code federated}: own + s·(federated − own), s = n/n_max; the own model
   * when that validates worse than the own model does.
   */
  private float[] fairShare(float[] own, float[] federated) throws InterruptedException {
    double s = share();
    float[] kept = federated;
    if (s < 1) {
      kept = new float[own.length];
      for (int i = 0; i < kept.length; i++) kept[i] = (float) (own[i] + s * ((double) federated[i] - own[i]));
    }
    return peer.validationAccuracy(kept) < peer.validationAccuracy(own) ? own.clone() : kept;
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

  /**
   * θ moves to the weighted mean of its published view r and {@code targets}, the (possibly extrapolated)
   * snapshots of {@code vs}, and keeps θ − r, what its codec has not sent yet: θ ← mean(r, θ̃_j) + (θ − r), the
   * compressed gossip step of CHOCO-SGD (Koloskova et al., ICML 2019) with step 1. Every peer then mixes the same
   * published views, and the residual stays in θ for error feedback to send. Used with sign deltas only; without a
   * published view this is the plain step to mean(θ, θ̃_j). Mixing θ itself with sign views (the earlier step) let
   * the codec noise of each side flow into the other's θ and back: on 2 disjoint peers the consensus swung between
   * the two peers' classes by up to 10 points from round to round. With tiles the view step is far worse (the
   * consensus fell from 0.65 to 0.14 on 2 disjoint peers), so they keep the plain step.
   */
  private void proximalStep(List<PeerViews.View> vs, float[][] targets) {
    if (vs.isEmpty()) return;
    int n = peer.peers().size();
    double own = Aggregation.peerWeight(peer.dataSize(), peer.totalDataSize(), n, settings.weighting());
    double[] w = Aggregation.peerWeights(sizes(vs), peer.totalDataSize(), n, settings.weighting());
    double[] c = Aggregation.proximalCoefficients(own, w, settings.mix(), settings.normalise());
    float[] theta = peer.network().copyParams();
    float[] view = peer.publishedView();
    float[] x = view == null ? theta : view.clone();
    double trim = robust.trim();
    if (trim > 0 && Aggregation.trimCount(trim, targets.length + 1) > 0) Aggregation.trimmedProximalStep(x, targets, own, c, trim);
    else Aggregation.proximalStep(x, targets, own, c);
    if (view != null) {
      for (int i = 0; i < x.length; i++) {
        float residual = theta[i] - view[i];
        if (residual != 0) x[i] += residual;
      }
    }
    peer.network().setParams(x);
  }

  /** The gradient term towards {@code targets}, the (possibly extrapolated) snapshots of {@code vs}. */
  private GradientPenalty alignmentPenalty(List<PeerViews.View> vs, float[][] targets) {
    if (vs.isEmpty() || settings.lambda() == 0) return GradientPenalty.NONE;
    double[] c = gradientCoefficients(sizes(vs));
    Distance d = settings.distance();
    return (params, grads) -> AlignmentPenalty.addGradient(params, grads, targets, c, d);
  }

  private double[] gradientCoefficients(int[] sizes) {
    double[] w = Aggregation.peerWeights(sizes, peer.totalDataSize(), peer.peers().size(), settings.weighting());
    return Aggregation.alignmentCoefficients(w, settings.lambda(), settings.normalise());
  }

  private float[] target(PeerViews.View v) {
    return Aggregation.extrapolate(v.params(), v.previous() == null ? null : v.previous().params(), settings.extrapolate());
  }

  private static int[] sizes(List<PeerViews.View> vs) {
    return vs.stream().mapToInt(PeerViews.View::dataSize).toArray();
  }
}
