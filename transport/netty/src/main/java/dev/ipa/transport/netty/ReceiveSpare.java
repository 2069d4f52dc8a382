package dev.ipa.transport.netty;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The payload array one link keeps between snapshots, so that the next snapshot of the same size is received into
 * it instead of a new array. Allocating a payload-sized array is not free: zeroing it and the page faults of first
 * touching fresh heap cost about as much as copying the bytes in from the socket.
 *
 * <p>At most one array, of at most {@code maxBytes}, and only an array the inbox gave back through
 * {@link dev.ipa.transport.SnapshotLoan#release()}: an array in the inbox's hands is never reused. Taking the
 * spare empties the slot whatever its size, so a link holds at most one array besides the one it is receiving
 * into and those its inbox still holds; that array was one of the inbox's before, so reuse never raises the peak
 * heap of a link.
 *
 * <p>Thread-safe: taken on the event loop, given back from the inbox thread.
 */
final class ReceiveSpare {
  private final long maxBytes;
  private final AtomicReference<byte[]> spare = new AtomicReference<>();

  ReceiveSpare(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** An array of exactly {@code size} bytes to receive into: the spare if it fits, else a new one. */
  byte[] take(int size) {
    byte[] s = spare.getAndSet(null);
    return s != null && s.length == size ? s : new byte[size];
  }

  /** Keeps {@code array} for the next snapshot, in place of any older spare, unless it is above the size cap. */
  void giveBack(byte[] array) {
    if (array.length > 0 && array.length <= maxBytes) spare.set(array);
  }

  /** The bytes held for reuse now (0 or the spare's length). */
  long heldBytes() {
    byte[] s = spare.get();
    return s == null ? 0 : s.length;
  }
}
