package dev.ipa.transport;

import java.util.Objects;

/**
 * One peer's published parameters as they travel between peers: routing metadata plus the encoded payload
 * produced by the compression module's {@code SnapshotEncoder} (a full snapshot or a delta against a base
 * version the payload names itself).
 *
 * <p>Immutable by contract: the payload array is shared between every receiver of the same publication (that is
 * how a simulation of N peers keeps O(N) snapshots rather than O(N²)), so nobody may write into it. A received
 * snapshot reaches the inbox inside a {@link SnapshotLoan}: once the inbox releases that loan, the transport
 * reuses the array for a later snapshot, so the payload bytes of a snapshot taken from a released loan must not be
 * read any more.
 *
 * @param peerId   the publishing peer
 * @param round    the round in which it was published (0-based)
 * @param sync     the exchange index within the round (0 ≤ sync < syncs per round)
 * @param sequence per-sender publication counter, strictly increasing; receivers use it to spot gaps
 * @param dataSize the publisher's training-set size |D_j|, used for data-size weighting
 * @param payload  encoded parameters; never mutated
 * @param kind     what the payload holds: one peer's model snapshot, or a protocol state such as the ring
 *                 protocol's θ*; the transport carries it beside the payload, so nobody has to guess it from the
 *                 payload's bytes
 */
public record PeerSnapshot(String peerId, int round, int sync, long sequence, int dataSize, byte[] payload, Kind kind) {

  /** What a payload holds. */
  public enum Kind {
    /** One peer's parameters, encoded by the compression module (a full snapshot or a delta). */
    MODEL,
    /** The ring protocol's θ*: every peer's parameters, as the ring protocol's own codec writes them. */
    RING_STATE,
    /**
     * A peer's table statistics (or its pinned table schema) in the federated-statistics exchange before round 0;
     * UTF-8 JSON written by the alignment module's {@code StatisticsExchange}. Never sent once rounds have begun.
     */
    TABLE_STATISTICS
  }

  /** A model snapshot. */
  public PeerSnapshot(String peerId, int round, int sync, long sequence, int dataSize, byte[] payload) {
    this(peerId, round, sync, sequence, dataSize, payload, Kind.MODEL);
  }

  public PeerSnapshot {
    Objects.requireNonNull(peerId, "peerId");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(kind, "kind");
    if (round < 0) throw new IllegalArgumentException("A snapshot round must be ≥ 0, got " + round + ".");
    if (sync < 0) throw new IllegalArgumentException("A snapshot sync index must be ≥ 0, got " + sync + ".");
    if (dataSize < 0) throw new IllegalArgumentException("A snapshot's data size must be ≥ 0, got " + dataSize + ".");
  }

  /** The bytes this snapshot costs on the wire, payload only (framing is counted by the transport). */
  public int payloadBytes() {
    return payload.length;
  }

  @Override
  public String toString() {
    return "PeerSnapshot[" + (kind == Kind.MODEL ? "" : kind + " ") + peerId + " r" + round + "." + sync + " #" + sequence + ", " + payload.length + " B]";
  }
}
