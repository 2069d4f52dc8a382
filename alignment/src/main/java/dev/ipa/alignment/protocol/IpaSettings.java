package dev.ipa.alignment.protocol;

import dev.ipa.alignment.penalty.Distance;
import dev.ipa.alignment.penalty.Weighting;
import java.util.Objects;

/**
 * Iterative Parameter Alignment's own parameters (Sun et al.), validated once in the compact constructor;
 * immutable. Read by {@link IpaStrategy} in the parallel protocol and by {@link RingProtocol} in the ring.
 *
 * @param lambda      λ ≥ 0, the strength of the gradient term λ·Σ_j w_j·D(θ_i, θ̃_j) added during training
 * @param distance    L1 or squared L2
 * @param weighting   data-size or uniform peer weights ({@link dev.ipa.alignment.penalty.Aggregation#peerWeight})
 * @param normalise   divide the neighbour weights by their sum, so the total pull is λ whatever the number of
 *                    neighbours; with data-size weights and n peers the paper's raw weights sum to 1 − w_i, so this
 *                    changes the pull by at most a factor n/(n−1) for equal shards
 * @param extrapolate staleness compensation γ ≥ 0: align to θ̃_j + γ·(θ̃_j − θ̃_j,previous); 0 = off
 * @param mix         the proximal step ≥ 0: once per exchange, before the next training steps, θ_i moves to the
 *                    minimiser of w_i·‖θ − θ_i‖² + mix·Σ_j w_j·‖θ − θ̃_j‖² (the closed form of the squared-L2
 *                    alignment penalty), a weighted mean of θ_i and the snapshots. 0 = off (the paper), 1 = the
 *                    data-size weighted mean of the whole federation; training then continues from there, so the
 *                    model stays the peer's own. Independent of λ (λ = 0 with mix &gt; 0 is the proximal step
 *                    instead of a gradient term). Parallel protocol only.
 * @param fairShare   contribution-scaled reward, for fairness: θ trains and is shared exactly as without it, but the
 *                    personal model a peer keeps is its own model moved the share s = n/n_max of the way towards
 *                    its federated model, n being its data size and n_max the largest provisioned or heard claimed. The
 *                    largest peer keeps the federated model; a peer with a fifth of its data keeps a fifth of the
 *                    way. It needs the own model ({@code --ipa-personal best}); parallel protocol only. A rule each
 *                    honest peer applies to itself; see the README's threat model
 */
public record IpaSettings(double lambda, Distance distance, Weighting weighting, boolean normalise, double extrapolate, double mix,
    boolean fairShare) {

  /** Without the contribution-scaled reward. */
  public IpaSettings(double lambda, Distance distance, Weighting weighting, boolean normalise, double extrapolate, double mix) {
    this(lambda, distance, weighting, normalise, extrapolate, mix, false);
  }

  public IpaSettings {
    Objects.requireNonNull(distance, "distance");
    Objects.requireNonNull(weighting, "weighting");
    if (!(mix >= 0) || Double.isInfinite(mix)) throw new IllegalArgumentException("The proximal step (--mix) must be a finite number ≥ 0, got " + mix + ".");
    if (!(lambda >= 0) || Double.isInfinite(lambda)) throw new IllegalArgumentException("λ (--lambda) must be a finite number ≥ 0, got " + lambda + ".");
    if (!(extrapolate >= 0) || Double.isInfinite(extrapolate)) throw new IllegalArgumentException("The staleness extrapolation γ must be a finite number ≥ 0, got " + extrapolate + ".");
  }
}
