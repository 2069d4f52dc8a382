package dev.ipa.transport.netty;

import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;

/**
 * What the handlers of a {@link PeerConnection} ask of the transport that owns it: whether an authenticated
 * connection may become the link to its peer ({@link HandshakeHandler}), where received payloads are assembled
 * ({@link SnapshotAssembler}) and where received messages and the connection's close go ({@link DeliveryHandler}).
 * Called from event-loop threads, so every method returns quickly and never blocks.
 */
interface ConnectionHost {

  NettyTransportConfig config();

  /** Where WARN lines about failing connections go: clipped and rate-limited per remote host. */
  RemoteWarnings warnings();

  /**
   * An accepted connection passed every handshake check. Returns null if it is now the link to {@code peerId}, or
   * the reason it is refused (a duplicate losing the tie-break, or the transport is closing).
   */
  String admit(PeerConnection connection, String peerId);

  /** A dialed connection got its Accept. Same answer as {@link #admit}. */
  String confirm(PeerConnection connection, String peerId);

  /** The connection closed, whatever its state. */
  void closed(PeerConnection connection);

  /**
   * The array to reassemble a snapshot of {@code size} bytes from the connection's peer into: that link's spare
   * (a payload its inbox released) when it has exactly this size, else a new one. Every byte of it is overwritten
   * before the snapshot is delivered.
   */
  byte[] receiveArray(PeerConnection connection, int size);

  /**
   * A complete, verified snapshot from the connection's peer, its payload from {@link #receiveArray}, lent to the
   * inbox; {@code delivered} runs once the inbox returned.
   */
  void deliver(PeerConnection connection, PeerSnapshot snapshot, Runnable delivered);

  /** A notice from the connection's peer. */
  void deliver(PeerConnection connection, PeerNotice notice);
}
