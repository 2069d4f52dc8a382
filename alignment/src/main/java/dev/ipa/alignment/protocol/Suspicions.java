package dev.ipa.alignment.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a peer holds against its neighbours: every snapshot it rejected (corrupt, NaN, wrong shape, overflowing
 * delta), every claim it overrode (a data size) and every snapshot its defences clipped or gated. Each becomes a
 * {@link PeerFailure} whose reason starts with {@code rejected:} or {@code suspected:}, lands in the round's
 * record (and from there in {@code /api/rounds}, {@code /api/peers} and the metrics), and is logged at WARN, at
 * most once per neighbour and reason every {@link #LOG_INTERVAL_NANOS} (a hostile peer must not be able to flood
 * the log).
 *
 * <p>Thread-safe: the transport's delivery threads report rejections, the round thread reports clipping and
 * drains. Lifecycle: one per peer, for its lifetime.
 */
public final class Suspicions {
  private static final Logger LOG = LoggerFactory.getLogger(Suspicions.class);
  static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

  private final String self;
  private final ConcurrentLinkedQueue<PeerFailure> pending = new ConcurrentLinkedQueue<>();
  private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();
  private volatile int round;
  private volatile int sync;

  public Suspicions(String self) {
    this.self = self;
  }

  /** The exchange the round thread is in; reports from strategies are stamped with it. */
  void at(int round, int sync) {
    this.round = round;
    this.sync = sync;
  }

  /** A snapshot of {@code peer} for exchange (round, sync) was refused. */
  public void rejected(String peer, int round, int sync, String reason) {
    add(new PeerFailure(peer, round, sync, "rejected: " + reason));
  }

  /** Something {@code peer} sent was overridden, clipped or gated in the current exchange. */
  public void suspected(String peer, String reason) {
    add(new PeerFailure(peer, round, sync, "suspected: " + reason));
  }

  /** Something {@code peer} sent for exchange (round, sync) was overridden. */
  public void suspected(String peer, int round, int sync, String reason) {
    add(new PeerFailure(peer, round, sync, "suspected: " + reason));
  }

  private void add(PeerFailure f) {
    pending.add(f);
    // One kind of report, whatever its numbers (sequence, loss, claimed size): "rejected: snapshot #N could not…".
    String kind = f.reason().replaceAll("[0-9][0-9.eE+-]*", "N");
    String key = f.peer() + '\u0000' + (kind.length() > 48 ? kind.substring(0, 48) : kind);
    long now = System.nanoTime();
    Long last = lastLogged.get(key);
    if (last == null || now - last > LOG_INTERVAL_NANOS) {
      lastLogged.put(key, now);
      LOG.warn("Peer {}: neighbour {} at round {}.{}: {} (further reports of this kind are logged at most every {} s)",
          self, f.peer(), f.round(), f.sync(), f.reason(), LOG_INTERVAL_NANOS / 1_000_000_000L);
    }
  }

  /** Everything reported since the last call, oldest first. */
  List<PeerFailure> drain() {
    List<PeerFailure> out = new ArrayList<>();
    for (PeerFailure f; (f = pending.poll()) != null; ) out.add(f);
    return out;
  }
}
