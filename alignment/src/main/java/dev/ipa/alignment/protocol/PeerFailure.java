package dev.ipa.alignment.protocol;

/**
 * A neighbour whose snapshot did not arrive in time for an exchange. Failures are data: the round goes on with
 * the snapshots that did arrive (Flower's {@code aggregate_fit(results, failures)}).
 *
 * @param peer  the neighbour
 * @param round the round
 * @param sync  the exchange within the round
 * @param reason e.g. "no snapshot within 30 s" or "delta against an unknown base; resync requested"
 */
public record PeerFailure(String peer, int round, int sync, String reason) {}
