package dev.ipa.transport;

import java.util.Objects;

/**
 * What model a peer trains, as announced in the handshake: two peers exchange snapshots only if their fingerprints
 * are equal, since parameters of different architectures cannot be aligned.
 *
 * @param architecture   a stable description of the network, e.g. {@code "mlp-784-128-10"}
 * @param parameterCount the number of trainable parameters
 */
public record ModelFingerprint(String architecture, long parameterCount) {
  public ModelFingerprint {
    Objects.requireNonNull(architecture, "architecture");
    if (architecture.isBlank()) throw new IllegalArgumentException("A model fingerprint needs a non-blank architecture.");
    if (parameterCount < 0) {
      throw new IllegalArgumentException("A model's parameter count must be ≥ 0, got " + parameterCount + ".");
    }
  }

  @Override
  public String toString() {
    return architecture + "/" + parameterCount;
  }
}
