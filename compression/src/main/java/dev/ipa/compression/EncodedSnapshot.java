package dev.ipa.compression;

import java.util.List;
import java.util.Objects;

/**
 * One encoded message as produced by {@link SnapshotEncoder#encode}: the bytes to send plus what they contain.
 * {@code bytes.length} is the exact number of bytes the message costs; report it as {@code bytesSent}.
 *
 * <p>The array is not copied: treat it as immutable once handed to a transport, which may share it between
 * receivers.
 *
 * @param bytes       the complete message, checksum included
 * @param kind        full snapshot or delta
 * @param round       round the sender encoded it in
 * @param baseVersion version the delta applies to; 0 for a full snapshot
 * @param version     version of the receivers' view after applying it
 * @param tensors     per-tensor codec and payload size, in layout order
 */
public record EncodedSnapshot(byte[] bytes, SnapshotKind kind, int round, long baseVersion, long version,
    List<TensorReport> tensors) {
  public EncodedSnapshot {
    Objects.requireNonNull(bytes, "An encoded snapshot needs its bytes.");
    Objects.requireNonNull(kind, "An encoded snapshot needs a kind.");
    tensors = List.copyOf(tensors);
  }

  /** Header, tensor table and checksum: everything that is not a tensor payload. */
  public int overheadBytes() {
    int payloads = 0;
    for (TensorReport t : tensors) {
      payloads += t.bytes();
    }
    return bytes.length - payloads;
  }

  @Override
  public String toString() {
    return "EncodedSnapshot[" + kind + " r" + round + ", " + bytes.length + " B, " + tensors.size() + " tensors]";
  }
}
