package dev.ipa.peer.federation;

import dev.ipa.alignment.protocol.PeerFailure;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per neighbour, how many of its snapshots this daemon rejected or suspected, and the last reason: what
 * {@code /api/peers} and the Prometheus counters show, so a neighbour whose snapshots are refused no longer looks
 * healthy. Fed from the round records' failures whose reason starts with {@code rejected:} or {@code suspected:}.
 *
 * <p>Thread-safe: the round thread records, HTTP and metrics threads read. Lives as long as the daemon.
 */
final class Distrust {
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final Map<String, String> last = new ConcurrentHashMap<>();

  void record(PeerFailure f) {
    String kind = f.reason().startsWith("rejected:") ? "rejected" : f.reason().startsWith("suspected:") ? "suspected" : null;
    if (kind == null) return;
    counts.computeIfAbsent(f.peer() + '\u0000' + kind, k -> new AtomicLong()).incrementAndGet();
    last.put(f.peer(), "round " + f.round() + "." + f.sync() + ": " + f.reason());
  }

  long count(String peer, String kind) {
    AtomicLong c = counts.get(peer + '\u0000' + kind);
    return c == null ? 0 : c.get();
  }

  Optional<String> last(String peer) {
    return Optional.ofNullable(last.get(peer));
  }
}
