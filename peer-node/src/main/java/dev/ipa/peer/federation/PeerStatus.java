package dev.ipa.peer.federation;

/**
 * A peer's status for {@code GET /api/status}.
 *
 * @param peerId   this peer
 * @param state    idle, training, waiting or stopped
 * @param paused   whether the admin paused it
 * @param round    the last completed round, -1 before the first
 * @param accuracy test accuracy after that round (NaN before)
 * @param loss     test loss after that round (NaN before)
 * @param since    ISO-8601 instant the state began
 * @param error    why the federation thread failed, or null
 */
public record PeerStatus(String peerId, String state, boolean paused, int round, double accuracy, double loss, String since, String error) {}
