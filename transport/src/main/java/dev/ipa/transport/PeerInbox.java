package dev.ipa.transport;

/**
 * Where a {@link PeerTransport} delivers what arrives from other peers.
 *
 * <p>Calls come from transport threads that are never Netty event-loop threads, so implementations may do
 * real work (decode a snapshot) but should not block for long. Messages from one sender arrive in the order the
 * sender published them; messages from different senders may interleave. Implementations must be thread-safe.
 */
public interface PeerInbox {
  /** A snapshot published by another peer. */
  void onSnapshot(PeerSnapshot snapshot);

  /** A control notice from another peer. */
  void onNotice(PeerNotice notice);

  /**
   * A link to {@code peerId} went up or down. After a link comes up, the local peer should send that neighbour a
   * full snapshot, since deltas may have been lost while it was down.
   */
  default void onLinkChange(String peerId, boolean up) {}
}
