package dev.ipa.transport;

import java.util.Objects;

/**
 * A small control message between peers.
 *
 * @param from   the sending peer
 * @param kind   what the notice means
 * @param round  the round it refers to
 * @param reason a human-readable reason (for {@link Kind#STOP}: why the peer stopped)
 */
public record PeerNotice(String from, Kind kind, int round, String reason) {
  /** What a notice asks or announces. */
  public enum Kind {
    /** The sender stopped (early stop, max rounds, operator); receivers record who, why and when. */
    STOP,
    /** The sender cannot apply the receiver's deltas (unknown base); the receiver must send a full snapshot next. */
    RESYNC_REQUEST,
    /**
     * The sender pauses after round {@code round}. Reason {@link #FEDERATION}: every receiver pauses after that
     * round too; {@link #PEER}: only the sender pauses, receivers know whom they wait for.
     */
    PAUSE,
    /** The sender resumes; with reason {@link #FEDERATION} receivers paused federation-wide resume as well. */
    RESUME
  }

  /** The reason of a {@link Kind#PAUSE} or {@link Kind#RESUME} that applies to the whole federation. */
  public static final String FEDERATION = "federation";

  /** The reason of a {@link Kind#PAUSE} or {@link Kind#RESUME} that applies to the sender alone. */
  public static final String PEER = "peer";

  public PeerNotice {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(kind, "kind");
    reason = reason == null ? "" : reason;
  }
}
