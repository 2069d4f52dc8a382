package dev.ipa.alignment.protocol;

import dev.ipa.alignment.train.Adam;

/**
 * One of several models a strategy keeps in a peer's single network: its parameters and its own Adam moments,
 * swapped in and out, so two models trained in turn never share optimiser state. Used from the peer's round
 * thread only.
 */
final class ModelSlot {
  private float[] params;
  private float[] moments;
  private int iterations;

  /** Saves the network's parameters and the optimiser's state into this slot. */
  void save(PeerContext peer) {
    params = peer.network().copyParams();
    Adam adam = peer.trainer().optimiser();
    moments = adam.exportMoments();
    iterations = adam.iteration();
  }

  /** Puts this slot's parameters and optimiser state into the network; false (and nothing done) when never saved. */
  boolean load(PeerContext peer) {
    if (params == null) return false;
    peer.network().setParams(params);
    peer.trainer().optimiser().restore(moments, iterations);
    return true;
  }

  float[] params() {
    return params;
  }

  /** What this slot holds, for a checkpoint; null when never saved. */
  ModelState state() {
    return params == null ? null : new ModelState(params, moments, iterations);
  }

  /** Holds {@code s} (a checkpoint's) from now on. */
  void restore(ModelState s) {
    params = s.params();
    moments = s.moments();
    iterations = s.iteration();
  }

  /** Replaces the saved parameters (the optimiser state stays). */
  void params(float[] p) {
    params = p;
  }
}
