package dev.ipa.alignment.protocol;

/**
 * θ*, the set of every peer's parameters that travels around the ring in the IPA paper's Algorithm 1, with each
 * peer's training-set size. Its wire form is {@link RingStateCodec}'s.
 *
 * <p>Mutable on purpose: the holder trains one copy and moves the others in place during its turn. Owned by one
 * {@link RingProtocol} at a time; not thread-safe.
 *
 * @param params θ_0 … θ_{N−1}, in federation peer order, all of the same length
 * @param sizes  |D_0| … |D_{N−1}|; 0 until that peer has held θ*
 */
public record RingState(float[][] params, int[] sizes) {

  public RingState {
    if (params.length != sizes.length) {
      throw new IllegalArgumentException("A ring state needs one size per peer: got " + params.length + " parameter vectors and " + sizes.length + " sizes.");
    }
  }

  /** The first state of a peer that has not received θ* yet: every copy is its own θ, no sizes known. */
  static RingState startingFrom(float[] own, int peers) {
    float[][] copies = new float[peers][];
    for (int j = 0; j < peers; j++) copies[j] = own.clone();
    return new RingState(copies, new int[peers]);
  }
}
