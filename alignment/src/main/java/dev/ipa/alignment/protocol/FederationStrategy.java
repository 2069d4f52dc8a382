package dev.ipa.alignment.protocol;

import dev.ipa.alignment.train.GradientPenalty;
import java.util.List;

/**
 * What one algorithm does with its neighbours' parameters in the parallel round protocol; {@link FederatedPeer}
 * runs the rounds and calls it (in the spirit of Flower's {@code Strategy} and Tribuo's
 * {@code StochasticGradientOptimiser}). One implementation per algorithm: {@link IpaStrategy},
 * {@link FedAvgStrategy}, {@link FedProxStrategy}, {@link LocalOnlyStrategy}, {@link DittoStrategy}, {@link FineTuneStrategy}.
 *
 * <p>Call order. {@link FederationSettings#strategy} builds one strategy per peer, bound to its
 * {@link PeerContext} (initialise). Then, for each round r and each of its exchanges s = 0 … syncs − 1:
 *
 * <ol>
 *   <li>{@link #beforeTraining} with the neighbours' snapshots of the previous exchange (for s = 0, the last
 *       exchange of round r − 1; none before round 0). It may move θ (IPA's proximal step) and returns the penalty;</li>
 *   <li>the peer trains 1/syncs of an epoch, calling that penalty at every step, after the data gradient and
 *       before the optimiser step ({@link GradientPenalty#addTo});</li>
 *   <li>the peer publishes θ as the strategy left it and waits for its neighbours;</li>
 *   <li>{@link #afterExchange} with the snapshots of this exchange and the neighbours that did not deliver
 *       (FedAvg: θ ← the weighted mean).</li>
 * </ol>
 *
 * After the last exchange the peer evaluates θ as the strategy left it and applies early stopping. A frozen peer
 * (patience ran out) gets neither call; it keeps publishing its last θ. A strategy that never exchanges
 * implements {@link Standalone}: steps 3 and 4 do not happen. Optional capabilities are separate interfaces:
 * {@link Standalone}, and {@link RingTurn} for a strategy that can take turns in the ring protocol.
 *
 * <p>A strategy with more state keeps it in its own fields. {@link DittoStrategy} (a global model w that follows
 * FedAvg and a personal model v trained with λ/2·‖v − w‖² towards it) keeps v and both optimisers' moments, loads
 * w in {@link #beforeTraining}, averages w in {@link #afterExchange}, runs its extra pass on v there through
 * {@link PeerContext#train}, leaves v in the network to be evaluated and returns w from {@link #consensus}.
 *
 * <p>Thread-safety: every call comes from the peer's round thread, in the order above, so an implementation
 * needs no synchronisation. The views passed in are immutable; the lists may not be modified.
 */
public interface FederationStrategy {

  /**
   * Prepares the next training share and returns the penalty to train it with ({@link GradientPenalty#NONE} for
   * none).
   *
   * @param lastExchange the incoming neighbours' snapshots as of the previous exchange, in peer order; empty
   *                     before the first exchange or when none arrived
   */
  GradientPenalty beforeTraining(List<PeerViews.View> lastExchange) throws InterruptedException;

  /**
   * Called once the exchange is over: every incoming neighbour delivered, or the wait ended.
   *
   * @param received the incoming neighbours' snapshots as of this exchange, in peer order
   * @param failures the neighbours that did not deliver in time (data, not exceptions)
   */
  default void afterExchange(List<PeerViews.View> received, List<PeerFailure> failures) throws InterruptedException {}

  /**
   * The peer's consensus model as of the last exchange, to be evaluated beside θ (its personal model), or null
   * when the two are the same (FedAvg and FedProx right after averaging, local-only). Called after the round's
   * last exchange, before the next round; the array is not modified by the caller.
   */
  default float[] consensus() throws InterruptedException {
    return null;
  }

  /**
   * The peer's personal model when it is not θ itself, computed on demand for evaluation and download and never
   * published, or null (θ is the personal model). {@code consensus} is this round's {@link #consensus} (null: θ
   * itself), which the caller already holds and, in a daemon, restores from the checkpoint. θ, the optimiser's
   * moments and the data cursor are as before when it returns. Called after the round's last exchange, from the
   * thread that runs the rounds.
   */
  default float[] personal(float[] consensus) throws InterruptedException {
    return null;
  }

  /**
   * Called before each of θ's training shares of {@code steps} steps in the parallel protocol, and in its place
   * while the peer is frozen by an early stop ({@code frozen}: θ does not train and nothing is exchanged); for a
   * second model that trains on the peer's own data beside θ.
   */
  default void beforeShare(int steps, boolean frozen) throws InterruptedException {}

  /**
   * The second model this strategy trains beside θ and keeps from round to round (IPA's own model), for a
   * checkpoint; null when there is none (yet).
   */
  default ModelState track() {
    return null;
  }

  /** Puts back a checkpoint's {@link #track()}. */
  default void restoreTrack(ModelState s) {}

  /**
   * Capability: a strategy that trains alone. The round loop neither publishes nor waits, so
   * {@link #afterExchange} is never called.
   */
  interface Standalone extends FederationStrategy {}

  /**
   * Capability: a strategy that can take a turn in the ring protocol ({@link RingProtocol}, the IPA paper's
   * Algorithm 1), where the holder of θ* trains towards the copies θ_j of every other peer and moves the copies
   * too. A strategy without it runs the parallel protocol even when the ring protocol is configured.
   */
  interface RingTurn extends FederationStrategy {

    /**
     * The penalty of one ring turn. It may modify {@code copies} in place (they travel on as part of θ*).
     *
     * @param copies the other peers' copies θ_j from θ*, in federation peer order without this peer
     * @param sizes  their training-set sizes |D_j|
     */
    GradientPenalty turnPenalty(float[][] copies, int[] sizes);
  }
}
