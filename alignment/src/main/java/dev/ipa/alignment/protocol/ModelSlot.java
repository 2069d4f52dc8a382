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

  /** Replaces the saved parameters (the optimiser state stays). */
  void params(float[] p) {
    params = p;
  }
}
