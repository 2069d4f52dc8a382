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
 * <p>Stateless between calls; called from the peer's round thread only (see {@link FederationStrategy}).
 */
final class IpaStrategy implements FederationStrategy.RingTurn {
  private final IpaSettings settings;
  private final PeerContext peer;

  IpaStrategy(IpaSettings settings, PeerContext peer) {
    this.settings = settings;
    this.peer = peer;
  }

  @Override
  public GradientPenalty beforeTraining(List<PeerViews.View> lastExchange) {
    // The snapshots (possibly extrapolated) are computed once for both steps.
    float[][] targets = lastExchange.stream().map(this::target).toArray(float[][]::new);
    if (settings.mix() > 0) proximalStep(lastExchange, targets);
    return alignmentPenalty(lastExchange, targets);
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
    double[] c = Aggregation.proximalCoefficients(own, w, settings.mix(), settings.normalise());
    float[] theta = peer.network().copyParams();
    Aggregation.proximalStep(theta, targets, own, c);
    peer.network().setParams(theta);
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
