package dev.ipa.transport;

/**
 * Where a {@link PeerTransport} delivers what arrives from other peers.
 *
 * <p>Calls come from transport threads that are never Netty event-loop threads, so implementations may do
 * real work (decode a snapshot) but should not block for long. Messages from one sender arrive in the order the
 * sender published them; messages from different senders may interleave. Implementations must be thread-safe.
 *
 * <p>Snapshots: transports call {@link #onSnapshot(SnapshotLoan)}. By default that keeps the payload and passes
 * it to {@link #onSnapshot(PeerSnapshot)}, so the inbox owns every array it is given. An inbox that is done with
 * the bytes once it has decoded them overrides {@code onSnapshot(SnapshotLoan)} and releases the loan, and the
 * transport receives a later snapshot of the same size from that peer into the same array.
 */
public interface PeerInbox {
  /** A snapshot published by another peer; the inbox owns its payload array. */
  void onSnapshot(PeerSnapshot snapshot);

  /**
   * A snapshot published by another peer, its payload lent by the transport. Every transport delivers snapshots
   * through this method. The inbox must end the loan with {@link SnapshotLoan#release()} once it no longer reads
   * the payload (now or later, from any thread), or take the array with {@link SnapshotLoan#keep()}; the default
   * keeps it and calls {@link #onSnapshot(PeerSnapshot)}.
   */
  default void onSnapshot(SnapshotLoan loan) {
    onSnapshot(loan.keep());
  }

  /** A control notice from another peer. */
  void onNotice(PeerNotice notice);

  /**
   * A link to {@code peerId} went up or down. After a link comes up, the local peer should send that neighbour a
   * full snapshot, since deltas may have been lost while it was down.
   */
  default void onLinkChange(String peerId, boolean up) {}
}
