package dev.ipa.transport;

import java.util.Collection;
import java.util.Map;

/**
 * The only way the round protocol talks to other peers: publish snapshots, send notices, and receive what
 * others sent through a {@link PeerInbox}.
 *
 * <p>Two implementations share this contract and the same protocol test suite: {@link InMemoryTransport} for
 * local multi-peer simulations (with injectable latency and drops) and the Netty transport for real daemons
 * (mutual TLS over TCP).
 *
 * <p>Call order: {@link #start(PeerInbox)} once → any number of {@link #publish} / {@link #notify} /
 * {@link #links()} from any thread → {@link #close()} once. {@code publish} and {@code notify} never block on a
 * slow or absent peer: delivery is asynchronous and best-effort, and a message to a peer that is down is
 * dropped (the protocol notices the gap and treats the peer as a failure for that round). Per receiver, messages
 * are delivered in the order they were published. Implementations are thread-safe.
 */
public interface PeerTransport extends AutoCloseable {

  /** The local peer's id. */
  String localPeer();

  /** Starts delivering incoming messages to {@code inbox}; dials and accepts peers where that applies. */
  void start(PeerInbox inbox);

  /** Sends {@code snapshot} to each peer in {@code to}. The payload is shared, never copied per receiver. */
  void publish(PeerSnapshot snapshot, Collection<String> to);

  /** Sends {@code notice} to each peer in {@code to}. */
  void notify(PeerNotice notice, Collection<String> to);

  /** The state of every configured link, keyed by neighbour id. */
  Map<String, LinkState> links();

  /** Stops delivery and releases sockets and threads. Idempotent. */
  @Override
  void close();
}
