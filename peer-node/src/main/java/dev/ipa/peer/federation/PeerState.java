package dev.ipa.peer.federation;

import java.util.Locale;

/** What the daemon's federation thread is doing, as the admin API and the dashboard report it. */
public enum PeerState {
  /** Not started yet: waiting for {@code POST /api/federation/start}. */
  IDLE,
  /** Running a round with every neighbour connected and none paused. */
  TRAINING,
  /** Running, but waiting for the neighbours the status names (down, or paused): an exchange waits up to its timeout. */
  WAITING,
  /** Paused between rounds, by this peer's admin or by a federation-wide pause from a neighbour. */
  PAUSED,
  /** Ran all its rounds, or stopped early (target reached, patience, a neighbour's early stop). */
  FINISHED,
  /** Stopped by an admin (this peer's or, federation-wide, a neighbour's) before its rounds were done. */
  STOPPED,
  /** The federation thread ended with an error; the status carries it. */
  FAILED;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the federation thread has ended and will not run another round in this process. */
  public boolean ended() {
    return this == FINISHED || this == STOPPED || this == FAILED;
  }

  /** Whether a status text names an ended state (for clients that only have the JSON). */
  public static boolean ended(String id) {
    for (PeerState s : values()) if (s.id().equals(id)) return s.ended();
    return false;
  }
}
