package dev.ipa.transport;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A peer's endpoint on an {@link InMemoryNetwork}. Implements the full {@link PeerTransport} contract, so the
 * round protocol runs unchanged on it and on Netty.
 *
 * <p>Byte counters count payload bytes (the in-memory network has no framing). Thread-safe.
 */
public final class InMemoryTransport implements PeerTransport {
  // The JDK's System.Logger keeps this module free of dependencies; applications route it to their logging
  // framework (simulations and the daemon bind it to SLF4J with slf4j-jdk-platform-logging).
  private static final System.Logger LOG = System.getLogger(InMemoryTransport.class.getName());

  private final String peerId;
  private final InMemoryNetwork network;
  private final Map<String, InMemoryNetwork.LinkCounters> links = new ConcurrentHashMap<>();
  private volatile PeerInbox inbox;
  private volatile InMemoryNetwork.Mailbox mailbox;
  private volatile boolean closed;

  InMemoryTransport(String peerId, InMemoryNetwork network) {
    this.peerId = Objects.requireNonNull(peerId, "peerId");
    this.network = network;
  }

  @Override
  public String localPeer() {
    return peerId;
  }

  @Override
  public void start(PeerInbox inbox) {
    if (this.inbox != null) throw new IllegalStateException("Transport of peer '" + peerId + "' was already started.");
    this.mailbox = new InMemoryNetwork.Mailbox(network.deliveryExecutor());
    this.inbox = Objects.requireNonNull(inbox, "inbox");
  }

  boolean isStarted() {
    return inbox != null && !closed;
  }

  @Override
  public void publish(PeerSnapshot snapshot, Collection<String> to) {
    if (closed) return;
    network.send(peerId, to, snapshot, snapshot.payloadBytes(), true);
  }

  @Override
  public void notify(PeerNotice notice, Collection<String> to) {
    if (closed) return;
    network.send(peerId, to, notice, 16 + notice.reason().length(), false);
  }

  void countOut(String receiver, int bytes) {
    counters(receiver).bytesOut.addAndGet(bytes);
  }

  void enqueue(String from, Object message, int bytes) {
    if (closed) return;
    InMemoryNetwork.LinkCounters c = counters(from);
    mailbox.submit(() -> {
      if (closed) return;
      c.bytesIn.addAndGet(bytes);
      c.lastSeen = Instant.now();
      try {
        if (message instanceof PeerSnapshot s) {
          c.lastRound = Math.max(c.lastRound, s.round());
          // Every receiver shares the publisher's array, so it is never recycled: release only ends the loan.
          inbox.onSnapshot(SnapshotLoan.unpooled(s));
        } else {
          inbox.onNotice((PeerNotice) message);
        }
      } catch (RuntimeException e) {
        // One bad message must not stop delivery of the next ones; the inbox reports its own failures.
        LOG.log(System.Logger.Level.WARNING, "Peer " + peerId + " failed to handle a message from " + from + ": " + e.getMessage(), e);
      }
    });
  }

  private InMemoryNetwork.LinkCounters counters(String peer) {
    return links.computeIfAbsent(peer, k -> new InMemoryNetwork.LinkCounters());
  }

  @Override
  public Map<String, LinkState> links() {
    return InMemoryNetwork.snapshot(links);
  }

  @Override
  public void close() {
    closed = true;
    network.remove(peerId);
  }
}
