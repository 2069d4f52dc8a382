package dev.ipa.alignment.protocol;

/**
 * Who stopped, why, and at which round, as every peer records it.
 *
 * @param peer   the peer that stopped (or froze)
 * @param round  its last round
 * @param reason e.g. "reached validation accuracy 0.812 ≥ target 0.800"
 */
public record StopRecord(String peer, int round, String reason) {}
