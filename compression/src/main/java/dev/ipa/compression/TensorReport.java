package dev.ipa.compression;

import java.util.Objects;

/**
 * What one tensor cost in one message.
 *
 * @param name   tensor name from the layout
 * @param length number of values
 * @param codec  codec the policy chose for it
 * @param bytes  payload bytes (its 13-byte entry in the tensor table is counted in the header)
 */
public record TensorReport(String name, int length, CodecSpec codec, int bytes) {
  public TensorReport {
    Objects.requireNonNull(name, "A tensor report needs a name.");
    Objects.requireNonNull(codec, "A tensor report needs a codec.");
    if (length < 0 || bytes < 0) {
      throw new IllegalArgumentException("A tensor report needs non-negative length and bytes.");
    }
  }
}
