package dev.ipa.peer.federation;

import java.util.Locale;

/** What the daemon's federation thread is doing, as the admin API reports it. */
public enum PeerState {
  /** Not started yet (waiting for {@code POST /api/federation/start}) or paused between rounds. */
  IDLE,
  /** Running a round with every neighbour connected. */
  TRAINING,
  /** Running, but at least one neighbour is not connected: the exchange will wait up to its timeout. */
  WAITING,
  /** Finished its rounds, stopped early, stopped by the admin, or failed. */
  STOPPED;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
