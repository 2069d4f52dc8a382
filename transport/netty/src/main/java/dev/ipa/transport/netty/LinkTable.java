package dev.ipa.transport.netty;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Which connection is the link to each configured peer, and the tie-break when two peers dial each other at once:
 * <b>the connection initiated by the smaller peer id (String order) wins</b>. The smaller peer refuses the larger
 * one's incoming connection while its own dial is pending or up; the larger peer accepts the smaller one's
 * connection and abandons its own dial. A connection that arrives while an older link exists (the peer restarted)
 * replaces it. Also counts the redial attempts since a link was last up, for {@link RedialBackoff}.
 *
 * <p>Pure bookkeeping: it closes nothing and schedules nothing; each decision returns what the caller must do
 * (close a replaced link or an abandoned dial, report a link up or down, redial). Dials are identified by an opaque
 * handle (the dialing channel), compared by identity.
 *
 * <p>Thread-safe: each peer's entry has its own lock (handshakes of different peers run on different event loops).
 * Lifecycle: one per transport, with the configured peers fixed at construction.
 *
 * @param <C> a connection
 */
final class LinkTable<C extends LinkTable.Contender> {
  /** Start of the reason given to the loser of a tie-break, so neither side logs it as a failure. */
  static final String DUPLICATE = "duplicate connection";

  /** What the table needs to know of a connection. */
  interface Contender {
    /** Whether this peer dialed it (rather than accepted it). */
    boolean initiator();
  }

  /**
   * The answer to {@link #admit} or {@link #confirm}.
   *
   * @param refusal       null if the connection is now the link, else why it is refused
   * @param replaced      the previous link, which the caller closes; null if the link just came up
   * @param abandonedDial this peer's own pending dial, which the caller closes; null if none
   */
  record Admission<C>(String refusal, C replaced, Object abandonedDial) {
    static <C> Admission<C> refused(String reason) {
      return new Admission<>(reason, null, null);
    }

    boolean admitted() {
      return refusal == null;
    }
  }

  /**
   * The answer to {@link #closed}.
   *
   * @param down          whether the closed connection was the link, which is therefore down now
   * @param redialAttempt the attempt number of the redial the caller schedules, or -1 for none
   */
  record Loss(boolean down, int redialAttempt) {}

  private static final class Entry<C> {
    C active;
    Object dialing;
    int attempts;
    boolean dialScheduled;
  }

  private final String localPeer;
  private final BooleanSupplier closing;
  private final Map<String, Entry<C>> entries = new TreeMap<>();

  /**
   * @param localPeer this peer's id, the other side of every tie-break
   * @param peers     the configured peers, each of which gets an entry
   * @param closing   whether the transport is shutting down (then nothing is admitted and nothing redialed)
   */
  LinkTable(String localPeer, Collection<String> peers, BooleanSupplier closing) {
    this.localPeer = localPeer;
    this.closing = closing;
    for (String p : peers) entries.put(p, new Entry<>());
  }

  private Entry<C> entry(String peer) {
    Entry<C> e = entries.get(peer);
    if (e == null) throw new IllegalArgumentException("Peer '" + peer + "' is not configured, so it has no link.");
    return e;
  }

  /** Whether {@code peer} is a configured peer. */
  boolean contains(String peer) {
    return entries.containsKey(peer);
  }

  /** The current link to {@code peer}; null while it is down. */
  C active(String peer) {
    Entry<C> e = entry(peer);
    synchronized (e) {
      return e.active;
    }
  }

  /** This peer's pending dial to {@code peer}; null if none. */
  Object dialing(String peer) {
    Entry<C> e = entry(peer);
    synchronized (e) {
      return e.dialing;
    }
  }

  /** Claims the one scheduled dial to {@code peer}: false if one is already scheduled or the transport closes. */
  boolean scheduleDial(String peer) {
    Entry<C> e = entry(peer);
    synchronized (e) {
      if (closing.getAsBoolean() || e.dialScheduled) return false;
      e.dialScheduled = true;
      return true;
    }
  }

  /** The scheduled dial could not be scheduled after all (the event loops are shutting down). */
  void dialNotScheduled(String peer) {
    Entry<C> e = entry(peer);
    synchronized (e) {
      e.dialScheduled = false;
    }
  }

  /**
   * The scheduled dial is due: unless the link is up, a dial is pending or the transport closes, runs
   * {@code connect} under the entry's lock (so no handshake decides in between) and records {@code handle} of its
   * result as the pending dial. Returns what {@code connect} returned, or null if no dial was started.
   */
  <F> F startDial(String peer, Supplier<F> connect, Function<F, Object> handle) {
    Entry<C> e = entry(peer);
    synchronized (e) {
      e.dialScheduled = false;
      if (closing.getAsBoolean() || e.active != null || e.dialing != null) return null;
      F started = connect.get();
      e.dialing = handle.apply(started);
      return started;
    }
  }

  /** Dial {@code dial} failed to connect. Returns the attempt number of the next redial, or -1 if the link is up. */
  int dialFailed(String peer, Object dial) {
    Entry<C> e = entry(peer);
    synchronized (e) {
      if (e.dialing == dial) e.dialing = null;
      return e.active != null ? -1 : e.attempts++;
    }
  }

  /** An accepted connection from {@code peer} passed every handshake check: may it become the link? */
  Admission<C> admit(String peer, C accepted) {
    Entry<C> e = entry(peer);
    synchronized (e) {
      if (closing.getAsBoolean()) return Admission.refused(shuttingDown());
      boolean remoteIsSmaller = peer.compareTo(localPeer) < 0;
      boolean haveOwn = e.dialing != null || (e.active != null && e.active.initiator());
      if (!remoteIsSmaller && haveOwn) {
        return Admission.refused(DUPLICATE + ": peer '" + localPeer
            + "' keeps the connection it initiated, since the smaller peer id's connection wins");
      }
      Object abandoned = e.dialing;
      e.dialing = null;
      return install(e, accepted, abandoned);
    }
  }

  /** This peer's dial {@code dial} to {@code peer} got its Accept: may the connection become the link? */
  Admission<C> confirm(String peer, C dialed, Object dial) {
    Entry<C> e = entry(peer);
    synchronized (e) {
      if (e.dialing == dial) e.dialing = null;
      if (closing.getAsBoolean()) return Admission.refused(shuttingDown());
      if (e.active != null && e.active != dialed && !e.active.initiator() && peer.compareTo(localPeer) < 0) {
        return Admission.refused(DUPLICATE + ": the connection initiated by '" + peer + "' (smaller id) is kept");
      }
      return install(e, dialed, null);
    }
  }

  private Admission<C> install(Entry<C> e, C c, Object abandonedDial) {
    C replaced = e.active;
    e.active = c;
    e.attempts = 0;
    return new Admission<>(null, replaced, abandonedDial);
  }

  private String shuttingDown() {
    return "peer '" + localPeer + "' is shutting down";
  }

  /**
   * Connection {@code c} to {@code peer} (its channel {@code dial}, which was a pending dial if this peer
   * initiated it) closed, whatever its state. A lost link is redialed, and so is a dial of this peer's that failed
   * after connecting; an accepted connection that was not the link is the other side's to redial.
   */
  Loss closed(String peer, C c, Object dial) {
    Entry<C> e = entry(peer);
    synchronized (e) {
      if (e.dialing != null && e.dialing == dial) e.dialing = null;
      boolean down = e.active == c;
      if (down) e.active = null;
      boolean redial = e.active == null && e.dialing == null && !closing.getAsBoolean() && (down || c.initiator());
      return new Loss(down, redial ? e.attempts++ : -1);
    }
  }
}
