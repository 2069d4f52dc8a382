package dev.ipa.compression;

import java.util.Objects;

/**
 * Which codec each tensor of a stream uses. Tensors with fewer than {@code smallTensorThreshold} values (biases,
 * small last layers) use {@code smallTensorCodec}, as Tiled Bit Networks leave small layers un-tiled; the rest
 * use {@code codec}. Full snapshots use {@code fullSnapshotCodec} for every tensor. Immutable and validated on
 * construction; configuration keys live under {@code ipa.compression.*}.
 *
 * @param codec                codec for deltas of large tensors
 * @param smallTensorThreshold tensors with fewer values than this use {@code smallTensorCodec}; ≥ 0
 * @param smallTensorCodec     codec for deltas of small tensors
 * @param fullSnapshotCodec    {@code none} (fp32, exact) or {@code fp16}
 * @param fullResyncEvery      send a full snapshot every this many exchanges (1 = always full); 0 = only on first
 *                             contact and on request
 */
public record CodecPolicy(CodecSpec codec, int smallTensorThreshold, CodecSpec smallTensorCodec,
    CodecSpec fullSnapshotCodec, int fullResyncEvery) {

  public CodecPolicy {
    Objects.requireNonNull(codec, "A codec policy needs a codec.");
    Objects.requireNonNull(smallTensorCodec, "A codec policy needs a small-tensor codec.");
    Objects.requireNonNull(fullSnapshotCodec, "A codec policy needs a full-snapshot codec.");
    if (smallTensorThreshold < 0) {
      throw new IllegalArgumentException("The small-tensor threshold must be ≥ 0, got " + smallTensorThreshold
          + ".");
    }
    if (fullSnapshotCodec.kind() != CodecSpec.Kind.NONE && fullSnapshotCodec.kind() != CodecSpec.Kind.FP16) {
      throw new IllegalArgumentException("A full snapshot must use none (fp32) or fp16, got " + fullSnapshotCodec
          + ".");
    }
    if (fullResyncEvery < 0) {
      throw new IllegalArgumentException("fullResyncEvery must be ≥ 0 (0 = never), got " + fullResyncEvery + ".");
    }
  }

  /** {@code codec} for tensors of at least 1024 values, fp16 below, fp32 full snapshots, no periodic resync. */
  public static CodecPolicy of(CodecSpec codec) {
    return new CodecPolicy(codec, 1024, CodecSpec.FP16, CodecSpec.NONE, 0);
  }

  /** The delta codec for a tensor of n values. */
  public CodecSpec codecFor(int n) {
    return n < smallTensorThreshold ? smallTensorCodec : codec;
  }
}
