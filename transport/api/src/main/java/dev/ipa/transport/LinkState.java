package dev.ipa.transport;

import java.time.Instant;

/**
 * What the local peer knows of its link to one neighbour, as shown on the admin API.
 *
 * @param peerId            the neighbour
 * @param connected         whether a link is up now
 * @param lastSeen          when anything last arrived from it, or null if never
 * @param bytesIn           bytes received from it, framing included
 * @param bytesOut          bytes sent to it, framing included
 * @param roundTripMillis   latest measured round-trip time, or -1 if unknown
 * @param lastRoundReceived round of the latest snapshot received from it, or -1 if none
 */
public record LinkState(
    String peerId,
    boolean connected,
    Instant lastSeen,
    long bytesIn,
    long bytesOut,
    double roundTripMillis,
    int lastRoundReceived) {}
