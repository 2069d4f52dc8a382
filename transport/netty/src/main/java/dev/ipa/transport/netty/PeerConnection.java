package dev.ipa.transport.netty;

import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.internal.wire.Error;
import dev.ipa.transport.internal.wire.ErrorCode;
import dev.ipa.transport.internal.wire.Frame;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPipeline;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection to a peer: the state its handlers share, and what the transport holds as the link to that peer.
 * The protocol itself is one handler per step, installed by {@link #addHandlersTo} after the framing:
 *
 * <pre>
 * ... → FrameDecoder / FrameEncoder
 *     → {@link HeartbeatHandler}      drops what arrives after close, lastSeen, ping/pong, RTT, idle timeouts
 *     → {@link HandshakeHandler}      Hello / Accept / Reject; removes itself once the link is admitted
 *     → {@link SnapshotStreamer}      outbound queue, chunking, flow control, incoming acks
 *     → {@link SnapshotAssembler}     header → chunks → end, CRC32C, size limits, receive-array reuse; sends acks
 *     → {@link DeliveryHandler}       complete snapshots and notices to the inbox thread; pauses reading
 *     → {@link ProtocolErrorHandler}  remote errors, unexpected frames, exceptions: one WARN, error frame, close
 * </pre>
 *
 * <p>Lifecycle: {@link State#CONNECTING} → (TLS handshake unless insecure) → {@link State#AWAITING_HELLO} (acceptor)
 * or {@link State#AWAITING_ACCEPT} (dialer) → {@link State#ESTABLISHED} → {@link State#CLOSED}. Any violation
 * sends an Error frame where the connection still works, logs one WARN line and closes the connection.
 *
 * <p>Threading: the handlers run on the channel's event loop; {@link #enqueue}, {@link #close}, and the getters may
 * be called from any thread.
 */
final class PeerConnection implements LinkTable.Contender {
  static final int PROTOCOL_VERSION = 1;

  enum State { CONNECTING, AWAITING_HELLO, AWAITING_ACCEPT, ESTABLISHED, CLOSED }

  private final ConnectionHost host;
  private final Channel channel;
  private final boolean initiator;
  private final String dialedPeer;
  private final boolean secure;
  private final SnapshotStreamer streamer;
  private volatile LinkCounters counters = new LinkCounters();
  private volatile String remotePeer;
  private volatile State state = State.CONNECTING;
  // Inbound backpressure: set by DeliveryHandler on the event loop, read there and from the inbox thread.
  private volatile boolean pausedForInbox;
  private boolean resumed;
  private long resumedNanos;

  /**
   * @param dialedPeer the peer this side dialed, or null for an accepted connection
   * @param secure     whether an SslHandler precedes the handlers; then the peer's certificate must name its id
   */
  PeerConnection(ConnectionHost host, Channel channel, String dialedPeer, boolean secure) {
    this.host = host;
    this.channel = channel;
    this.initiator = dialedPeer != null;
    this.dialedPeer = dialedPeer;
    this.secure = secure;
    this.streamer = new SnapshotStreamer(this);
  }

  /** Appends the protocol handlers, in the order of the class comment, to {@code pipeline} (after the framing). */
  void addHandlersTo(ChannelPipeline pipeline) {
    pipeline.addLast("heartbeat", new HeartbeatHandler(this));
    pipeline.addLast(HandshakeHandler.NAME, new HandshakeHandler(this));
    pipeline.addLast("streamer", streamer);
    pipeline.addLast("assembler", new SnapshotAssembler(this));
    pipeline.addLast("delivery", new DeliveryHandler(this));
    pipeline.addLast("errors", new ProtocolErrorHandler(this));
  }

  ConnectionHost host() {
    return host;
  }

  NettyTransportConfig config() {
    return host.config();
  }

  Channel channel() {
    return channel;
  }

  @Override
  public boolean initiator() {
    return initiator;
  }

  /** The peer this side dialed; null for an accepted connection. */
  String dialedPeer() {
    return dialedPeer;
  }

  boolean secure() {
    return secure;
  }

  /** The authenticated peer id, once the handshake got that far; null before. */
  String remotePeer() {
    return remotePeer;
  }

  void remotePeer(String id) {
    remotePeer = id;
  }

  /** The peer this connection belongs to: the authenticated one, else the one dialed; null for an unknown caller. */
  String linkPeer() {
    return remotePeer != null ? remotePeer : dialedPeer;
  }

  State state() {
    return state;
  }

  void state(State next) {
    state = next;
  }

  boolean established() {
    return state == State.ESTABLISHED;
  }

  boolean closed() {
    return state == State.CLOSED;
  }

  LinkCounters counters() {
    return counters;
  }

  /** Makes {@code link} the counters of this connection, carrying over what was counted before. */
  void countInto(LinkCounters link) {
    LinkCounters before = counters;
    counters = link;
    link.absorb(before);
  }

  /** Whether reading is paused because the inbox is behind (then no idle or progress timeout applies). */
  boolean pausedForInbox() {
    return pausedForInbox;
  }

  void pausedForInbox(boolean paused) {
    pausedForInbox = paused;
    if (!paused) {
      resumed = true;
      resumedNanos = System.nanoTime();
    }
  }

  /**
   * The later of {@code progressNanos} and the last time reading resumed after an inbox pause (both
   * {@link System#nanoTime}): a transfer's progress timeout counts from whichever came last.
   */
  long progressSince(long progressNanos) {
    return resumed && resumedNanos - progressNanos > 0 ? resumedNanos : progressNanos;
  }

  /**
   * Runs {@code check} on the event loop every quarter of {@code progressTimeout} (at least every 20 ms), so a
   * stalled transfer is noticed within 1.25 timeouts; the caller cancels the returned future when the channel closes.
   */
  ScheduledFuture<?> checkProgressPeriodically(Runnable check) {
    long period = Math.max(TimeUnit.MILLISECONDS.toNanos(20), config().progressTimeout().toNanos() / 4);
    return channel.eventLoop().scheduleAtFixedRate(check, period, period, TimeUnit.NANOSECONDS);
  }

  /** Queues a snapshot for this connection's peer; any thread. */
  void enqueue(PeerSnapshot snapshot) {
    streamer.enqueue(snapshot);
  }

  /** Queues a notice for this connection's peer, in order with snapshots; any thread. */
  void enqueue(PeerNotice notice) {
    streamer.enqueue(notice);
  }

  /** Closes the connection without an error (tie-break loser, transport shutdown). */
  void close() {
    channel.close();
  }

  /** Marks the connection closed, so nothing it reads any more is acted on, and closes it without an error frame. */
  void closeNow() {
    state = State.CLOSED;
    channel.close();
  }

  /** Sends an Error frame, logs one WARN line and closes; nothing more is read from this connection. */
  void fail(ErrorCode code, String message) {
    if (state == State.CLOSED) return;
    warn("Closing connection with {}: {} ({}).", describeRemote(), message, code);
    state = State.CLOSED;
    channel.config().setAutoRead(false);
    channel.writeAndFlush(Frame.newBuilder().setError(Error.newBuilder().setCode(code).setMessage(message)).build())
        .addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Logs a WARN about this connection through the host's {@link RemoteWarnings}: String arguments are clipped to a
   * few bytes of remote data, and a remote host gets only a few such lines per window.
   */
  void warn(String format, Object... args) {
    host.warnings().warn(channel.remoteAddress(), format, args);
  }

  /** "peer b (address)" once the peer is known, else the remote address; for log lines. */
  String describeRemote() {
    String who = linkPeer();
    Object address = channel.remoteAddress();
    return who == null ? String.valueOf(address) : "peer " + who + " (" + address + ")";
  }

  /** The message of the innermost cause of {@code t}, for one-line WARNs about TLS failures. */
  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return root.getMessage() != null ? root.getMessage() : root.toString();
  }
}
