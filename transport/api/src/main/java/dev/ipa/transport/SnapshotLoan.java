package dev.ipa.transport;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A received snapshot whose payload array a transport lends to the inbox, so that the next snapshot from the same
 * peer can be received into the same array instead of a freshly allocated one (zeroing and first touching a
 * payload-sized array cost about as much as copying the bytes in from the socket: see {@code transport/README.md},
 * "Benchmark").
 *
 * <p>The inbox ends every loan in one of two ways:
 *
 * <pre>
 *   lent ──keep()────▶ kept       the inbox owns the array for good; the transport never sees it again
 *     │
 *     └───release()──▶ released   the array goes back to the transport, which may overwrite it with the
 *                                 next snapshot at once; snapshot() and keep() then throw
 * </pre>
 *
 * An inbox that does neither (it dropped the loan) only costs the reuse: the array is garbage-collected and never
 * recycled. Between {@link #snapshot()} and {@link #release()} the payload is the inbox's to read; after
 * {@code release()} the loan may not be used, nor the payload bytes of a {@link PeerSnapshot} taken from it (its
 * metadata stays valid). Code that reads the bytes later holds on to the loan and releases it then, or keeps it.
 *
 * <p>Thread-safe: {@code keep} and {@code release} may race; exactly one of them ends the loan, and the array is
 * handed back at most once.
 */
public final class SnapshotLoan {
  private static final int LENT = 0;
  private static final int KEPT = 1;
  private static final int RELEASED = 2;

  private final PeerSnapshot snapshot;
  private final Consumer<byte[]> giveBack;
  private final AtomicInteger state = new AtomicInteger(LENT);

  private SnapshotLoan(PeerSnapshot snapshot, Consumer<byte[]> giveBack) {
    this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    this.giveBack = Objects.requireNonNull(giveBack, "giveBack");
  }

  /**
   * A loan of {@code snapshot}'s payload; {@code giveBack} receives the array once, when the inbox releases it.
   * The transport must not hand the array to anyone else before that.
   */
  public static SnapshotLoan lent(PeerSnapshot snapshot, Consumer<byte[]> giveBack) {
    return new SnapshotLoan(snapshot, giveBack);
  }

  /**
   * A snapshot whose array nobody wants back (the in-memory network shares the publisher's array between
   * receivers): {@link #release()} only ends the loan.
   */
  public static SnapshotLoan unpooled(PeerSnapshot snapshot) {
    return new SnapshotLoan(snapshot, array -> {});
  }

  /**
   * The snapshot, payload included, valid until {@link #release()}.
   *
   * @throws IllegalStateException if the loan was released
   */
  public PeerSnapshot snapshot() {
    if (state.get() == RELEASED) throw new IllegalStateException(released());
    return snapshot;
  }

  /**
   * Takes ownership of the payload array: it will never be recycled. Calling it again is harmless.
   *
   * @throws IllegalStateException if the loan was released (the array may already hold another snapshot)
   */
  public PeerSnapshot keep() {
    if (!state.compareAndSet(LENT, KEPT) && state.get() == RELEASED) throw new IllegalStateException(released());
    return snapshot;
  }

  /**
   * Gives the payload array back to the transport. Idempotent, and does nothing after {@link #keep()}, so it
   * belongs in a {@code finally} block.
   */
  public void release() {
    if (state.compareAndSet(LENT, RELEASED)) giveBack.accept(snapshot.payload());
  }

  private String released() {
    return "The payload of " + snapshot + " was released to the transport and may already hold another snapshot.";
  }

  @Override
  public String toString() {
    return "SnapshotLoan[" + snapshot + ", " + switch (state.get()) {
      case LENT -> "lent";
      case KEPT -> "kept";
      default -> "released";
    } + "]";
  }
}
