package dev.ipa.alignment.protocol;

import dev.ipa.compression.BaseMismatchException;
import dev.ipa.compression.CorruptSnapshotException;
import dev.ipa.compression.SnapshotFormat;
import dev.ipa.transport.PeerSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A peer's knowledge of its neighbours: the last snapshot it could decode from each (θ̃_j, never a live shared
 * tensor), the two before (for staleness compensation), and which exchanges they have reached.
 *
 * <p>Deltas must arrive contiguously: a delta whose sequence does not follow the last accepted one (a message
 * was lost) or whose base does not match is <em>not applied</em>; the view stays where it was and the caller
 * is told to ask for a full snapshot.
 *
 * <p>Thread-safety: the transport's delivery threads write through {@link #accept} (each sender's snapshots
 * serially, see there), the peer's thread reads and waits; every map is guarded by one lock, which is never held
 * while a snapshot is decoded. Lifecycle: one per peer, for the peer's lifetime; {@link #restore} only before
 * deliveries start.
 */
public final class PeerViews {
  /**
   * One neighbour's state. Arrays are immutable once published here. {@code previous} is the view before this
   * one (with the one before it, whose own {@code previous} is dropped), kept so a peer can align to exactly the snapshot of an exchange even
   * when a faster neighbour has already published the next one, and for staleness compensation.
   */
  public record View(String peer, float[] params, View previous, int round, int sync, long sequence, int dataSize) {
    boolean notAfter(int r, int s) {
      return round < r || (round == r && sync <= s);
    }
  }

  /** Outcome of accepting a snapshot. */
  public enum Accepted { APPLIED, NEEDS_RESYNC, CORRUPT }

  private final String self;
  private final SnapshotDecoding decoding;
  private final Suspicions suspicions; // null: rejections only answered with a resync request, as before
  private final DataSizeClaims sizes;
  private final boolean twoBack;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, View> views = new TreeMap<>();
  private final Map<String, long[]> reached = new TreeMap<>(); // peer → {round, sync} of the latest arrival
  private final Set<String> stopped = new java.util.TreeSet<>();
  private final Map<String, Object> senderOrder = new ConcurrentHashMap<>();
  private volatile boolean interrupted;

  public PeerViews(String self, SnapshotDecoding decoding) {
    this(self, decoding, null, DataSizeClaims.trusting());
  }

  /**
   * @param suspicions where refused snapshots are reported, so they show in the round record and the API
   * @param sizes      which data size each accepted snapshot counts with
   */
  public PeerViews(String self, SnapshotDecoding decoding, Suspicions suspicions, DataSizeClaims sizes) {
    this(self, decoding, suspicions, sizes, true);
  }

  /**
   * @param twoBack whether a view's predecessor keeps its own predecessor: only staleness compensation
   *                (extrapolation) reads it, and without it a neighbour's publication two exchanges old is let go
   */
  public PeerViews(String self, SnapshotDecoding decoding, Suspicions suspicions, DataSizeClaims sizes, boolean twoBack) {
    this.twoBack = twoBack;
    this.self = self;
    this.decoding = decoding;
    this.suspicions = suspicions;
    this.sizes = sizes;
  }

  /**
   * Applies a received snapshot; never throws for bad input, it reports it.
   *
   * <p>The snapshot is decoded before the views lock is taken, so readers ({@link #await}, {@link #asOf}) are
   * never held up by a large decode; the lock is held only to check that the snapshot still follows the view it
   * was decoded against and to install it. Its arrival counts for {@link #await} only once it is installed (or
   * refused), so a woken waiter always finds the new view. Snapshots of one sender are accepted one at a time, in
   * the order they are delivered: the transports deliver each sender's snapshots serially and in order (Netty: one
   * inbox thread per link; in memory: one delivery thread per peer), and a per-sender monitor keeps that true
   * even for a transport that would not. Different senders decode in parallel.
   */
  public Accepted accept(PeerSnapshot s) {
    Object order = senderOrder.computeIfAbsent(s.peerId(), k -> new Object());
    synchronized (order) {
      return acceptInOrder(s);
    }
  }

  private Accepted acceptInOrder(PeerSnapshot s) {
    boolean full;
    try {
      full = SnapshotFormat.header(s.payload()).isFull();
    } catch (CorruptSnapshotException e) {
      return corrupt(s, e);
    }
    View old;
    lock.lock();
    try {
      old = views.get(s.peerId());
    } finally {
      lock.unlock();
    }
    if (!full && (old == null || s.sequence() != old.sequence() + 1)) {
      return refuse(s, Accepted.NEEDS_RESYNC);
    }
    float[] params;
    try {
      params = decoding.decode(self, s);
    } catch (BaseMismatchException e) {
      return refuse(s, Accepted.NEEDS_RESYNC);
    } catch (CorruptSnapshotException e) {
      return corrupt(s, e);
    }
    int size = sizes.trusted(s.peerId(), s.round(), s.sync(), s.dataSize(), suspicions);
    lock.lock();
    try {
      recordArrival(s);
      if (views.get(s.peerId()) != old) {
        // Only a checkpoint restore replaces a view behind this sender's back; what was decoded no longer follows it.
        return Accepted.NEEDS_RESYNC;
      }
      // Two generations back, not one: when asOf falls back to the previous view because a faster neighbour
      // already published the next one, staleness compensation still needs that view's own predecessor.
      View older = old == null ? null : new View(old.peer(), old.params(), twoBack ? trimmed(old.previous()) : null, old.round(), old.sync(),
          old.sequence(), old.dataSize());
      views.put(s.peerId(), new View(s.peerId(), params, older, s.round(), s.sync(), s.sequence(), size));
      return Accepted.APPLIED;
    } finally {
      changed.signalAll();
      lock.unlock();
    }
  }

  /**
   * A snapshot that cannot be decoded (damaged, NaN or infinite values, another layout, an overflowing delta).
   * It still counts as an arrival, so nobody waits out the timeout for a sender that did reach the exchange, but
   * it is reported as a failure of that exchange: the sender's last good view stays in use.
   */
  private Accepted corrupt(PeerSnapshot s, CorruptSnapshotException e) {
    if (suspicions != null) suspicions.rejected(s.peerId(), s.round(), s.sync(), "snapshot #" + s.sequence() + " could not be decoded: " + e.getMessage());
    return refuse(s, Accepted.CORRUPT);
  }

  /** Counts a snapshot that could not be applied as an arrival (its sender did reach the exchange). */
  private Accepted refuse(PeerSnapshot s, Accepted outcome) {
    lock.lock();
    try {
      recordArrival(s);
      changed.signalAll();
      return outcome;
    } finally {
      lock.unlock();
    }
  }

  private void recordArrival(PeerSnapshot s) {
    reached.merge(s.peerId(), new long[] {s.round(), s.sync()}, (a, b) -> compare(b, a) > 0 ? b : a);
  }

  /** Records that {@code peer} stopped for good: nobody waits for it any more. Its last view is kept. */
  public void markStopped(String peer) {
    lock.lock();
    try {
      stopped.add(peer);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Wakes a waiting {@link #await} early (e.g. a stop notice arrived). */
  public void wake() {
    lock.lock();
    try {
      interrupted = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until every peer in {@code from} has sent something for exchange (round, sync) or later, has stopped,
   * or the timeout passes. Returns the peers that did not make it, as failures.
   */
  public List<PeerFailure> await(Collection<String> from, int round, int sync, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        List<String> missing = new ArrayList<>();
        for (String p : from) {
          long[] r = reached.get(p);
          if (stopped.contains(p)) continue;
          if (r == null || compare(r, new long[] {round, sync}) < 0) missing.add(p);
        }
        long left = deadline - System.nanoTime();
        if (missing.isEmpty() || left <= 0 || interrupted) {
          interrupted = false;
          List<PeerFailure> failures = new ArrayList<>();
          for (String p : missing) failures.add(new PeerFailure(p, round, sync, "no snapshot for round " + round + "." + sync + " within " + timeout.toSeconds() + " s"));
          return failures;
        }
        changed.await(left, TimeUnit.NANOSECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  /** The current views of the given peers (those with a view), in peer order. */
  public List<View> of(Collection<String> peers) {
    lock.lock();
    try {
      List<View> out = new ArrayList<>();
      for (String p : new java.util.TreeSet<>(peers)) {
        View v = views.get(p);
        if (v != null) out.add(v);
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  /**
   * For each of {@code peers}, its latest view published at or before exchange (round, sync): what the peer had
   * at that exchange, independent of how fast its neighbours went on afterwards. Falls back to the latest view
   * when both held views are later (cannot happen with barriers; possible after a resync). Before the first
   * exchange (round &lt; 0) there is nothing to hold yet, however early the neighbours published.
   */
  public List<View> asOf(Collection<String> peers, int round, int sync) {
    if (round < 0) return List.of();
    lock.lock();
    try {
      List<View> out = new ArrayList<>();
      for (String p : new java.util.TreeSet<>(peers)) {
        View v = views.get(p);
        if (v == null) continue;
        if (!v.notAfter(round, sync) && v.previous() != null && v.previous().notAfter(round, sync)) v = v.previous();
        out.add(v);
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Forgets the views of every peer not in {@code keep}: with a topology that changes every round (random:K), the
   * view of a neighbour that is not among this or the next exchange's senders is never aligned to again before a
   * newer one replaces it, and in a simulation it would keep that neighbour's old publication alive. Arrival
   * records and stops are kept.
   */
  public void retainOnly(Collection<String> keep) {
    lock.lock();
    try {
      views.keySet().retainAll(keep instanceof Set<?> ? keep : new java.util.HashSet<>(keep));
    } finally {
      lock.unlock();
    }
  }

  /** Every current view. */
  public List<View> all() {
    return of(views.keySet());
  }

  public boolean isStopped(String peer) {
    lock.lock();
    try {
      return stopped.contains(peer);
    } finally {
      lock.unlock();
    }
  }

  /** Restores a view from a checkpoint. */
  public void restore(View v) {
    lock.lock();
    try {
      views.put(v.peer(), v);
    } finally {
      lock.unlock();
    }
  }

  private static View trimmed(View v) {
    return v == null ? null : new View(v.peer(), v.params(), null, v.round(), v.sync(), v.sequence(), v.dataSize());
  }

  private static int compare(long[] a, long[] b) {
    return a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]);
  }
}
