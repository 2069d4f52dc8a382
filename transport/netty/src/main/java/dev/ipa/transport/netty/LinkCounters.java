package dev.ipa.transport.netty;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** Mutable statistics of one link, updated from event-loop threads and read by {@link NettyTransport#links()}. */
final class LinkCounters {
  final AtomicLong bytesIn = new AtomicLong();
  final AtomicLong bytesOut = new AtomicLong();
  volatile Instant lastSeen;
  volatile double roundTripMillis = -1;
  volatile int lastRound = -1;

  void absorb(LinkCounters other) {
    bytesIn.addAndGet(other.bytesIn.get());
    bytesOut.addAndGet(other.bytesOut.get());
    if (other.lastSeen != null) lastSeen = other.lastSeen;
    if (other.roundTripMillis >= 0) roundTripMillis = other.roundTripMillis;
    lastRound = Math.max(lastRound, other.lastRound);
  }
}
