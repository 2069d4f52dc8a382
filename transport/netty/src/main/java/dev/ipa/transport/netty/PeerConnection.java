package dev.ipa.transport.netty;

import dev.ipa.transport.ModelFingerprint;
import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.internal.wire.Accept;
import dev.ipa.transport.internal.wire.Ack;
import dev.ipa.transport.internal.wire.Error;
import dev.ipa.transport.internal.wire.ErrorCode;
import dev.ipa.transport.internal.wire.Frame;
import dev.ipa.transport.internal.wire.Heartbeat;
import dev.ipa.transport.internal.wire.Hello;
import dev.ipa.transport.internal.wire.Reject;
import dev.ipa.transport.internal.wire.ResyncRequest;
import dev.ipa.transport.internal.wire.SnapshotChunk;
import dev.ipa.transport.internal.wire.SnapshotEnd;
import dev.ipa.transport.internal.wire.PayloadKind;
import dev.ipa.transport.internal.wire.SnapshotHeader;
import dev.ipa.transport.internal.wire.StopNotice;
import dev.ipa.transport.tls.FederationTls;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one typed handler of a peer connection: handshake, snapshot streaming in both directions, heartbeats and
 * every protocol error. It never runs peer logic: complete snapshots and notices go to the {@link ConnectionHost},
 * which hands them to the inbox thread.
 *
 * <p>Lifecycle: TLS handshake (unless insecure) → dialer sends Hello, acceptor answers Accept (with its own Hello)
 * or Reject → established: snapshots, notices, heartbeats both ways → closed. Any violation sends an Error frame
 * where the connection still works, logs one WARN line and closes the connection; the process carries on.
 *
 * <p>Threading: everything runs on the channel's event loop except {@link #enqueue}, which may be called from
 * any thread and hops onto the event loop.
 *
 * <p>Memory: outbound, the queue holds references to shared payloads (at most {@code maxQueuedSnapshots} plus the
 * one in flight), and chunks are written only while the channel is writable, so buffered bytes stay below the
 * write-buffer high-water mark plus one chunk. Inbound, one payload array under reassembly (the link's spare when
 * the inbox released one of the same size, see {@link ConnectionHost#receiveArray}), and reading pauses while
 * {@link #MAX_UNDELIVERED} complete snapshots wait for the inbox.
 */
final class PeerConnection extends SimpleChannelInboundHandler<Frame> {
  static final int PROTOCOL_VERSION = 1;
  static final int MAX_UNDELIVERED = 2;
  static final String DUPLICATE = "duplicate connection";
  private static final Logger LOG = LoggerFactory.getLogger(PeerConnection.class);

  enum State { CONNECTING, AWAITING_HELLO, AWAITING_ACCEPT, ESTABLISHED, CLOSED }

  private sealed interface Outbound permits OutSnapshot, OutNotice {}

  private record OutSnapshot(PeerSnapshot snapshot) implements Outbound {}

  private record OutNotice(PeerNotice notice) implements Outbound {}

  private final ConnectionHost host;
  private final NettyTransportConfig config;
  private final boolean initiator;
  private final String dialedPeer;
  private final boolean secure;
  private volatile LinkCounters counters = new LinkCounters();
  private volatile String remotePeer;
  private volatile State state = State.CONNECTING;
  private ChannelHandlerContext ctx;
  private long handshakeDeadline;
  private ScheduledFuture<?> watchdog;

  // outbound streaming, event loop only
  private final ArrayDeque<Outbound> queue = new ArrayDeque<>();
  private int queuedSnapshots;
  private PeerSnapshot sending;
  private int sendOffset;
  private int sendIndex;
  private final CRC32C sendCrc = new CRC32C();
  private long lastOutboundProgress;

  // inbound reassembly, event loop only
  private SnapshotHeader receiving;
  private byte[] receivePayload;
  private int received;
  private int receiveIndex;
  private final CRC32C receiveCrc = new CRC32C();
  private long lastInboundProgress;
  private final AtomicInteger undelivered = new AtomicInteger();
  private volatile boolean pausedForInbox;

  /**
   * @param dialedPeer the peer this side dialed, or null for an accepted connection
   * @param secure     whether an SslHandler precedes this handler; then the peer's certificate must name its id
   */
  PeerConnection(ConnectionHost host, String dialedPeer, boolean secure) {
    this.host = host;
    this.config = host.config();
    this.initiator = dialedPeer != null;
    this.dialedPeer = dialedPeer;
    this.secure = secure;
  }

  boolean initiator() {
    return initiator;
  }

  /** The authenticated peer id, once the handshake got that far; null before. */
  String remotePeer() {
    return remotePeer;
  }

  /** The peer this connection belongs to: the authenticated one, else the one dialed; null for an unknown caller. */
  String linkPeer() {
    return remotePeer != null ? remotePeer : dialedPeer;
  }

  State state() {
    return state;
  }

  Channel channel() {
    return ctx == null ? null : ctx.channel();
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

  /** Closes the connection without an error (tie-break loser, transport shutdown). */
  void close() {
    Channel ch = channel();
    if (ch != null) ch.close();
  }

  // ---------------------------------------------------------------- outbound

  /** Queues a snapshot for this connection's peer; any thread. */
  void enqueue(PeerSnapshot snapshot) {
    hop(new OutSnapshot(snapshot));
  }

  /** Queues a notice for this connection's peer, in order with snapshots; any thread. */
  void enqueue(PeerNotice notice) {
    hop(new OutNotice(notice));
  }

  private void hop(Outbound message) {
    Channel ch = channel();
    if (ch == null) return;
    // Always via execute, never inline, so the Accept frame written by the current handler call goes first.
    ch.eventLoop().execute(() -> {
      if (state != State.ESTABLISHED) return;
      queue.add(message);
      if (message instanceof OutSnapshot) {
        queuedSnapshots++;
        if (queuedSnapshots > config.maxQueuedSnapshots()) dropOldestSnapshot();
      }
      pump();
    });
  }

  private void dropOldestSnapshot() {
    for (Iterator<Outbound> it = queue.iterator(); it.hasNext(); ) {
      if (it.next() instanceof OutSnapshot dropped) {
        it.remove();
        queuedSnapshots--;
        LOG.warn("Peer {} is not keeping up: dropped {} to it, the oldest of more than {} queued snapshots; "
            + "it will see a sequence gap and may ask for a resync.", remotePeer, dropped.snapshot(),
            config.maxQueuedSnapshots());
        return;
      }
    }
  }

  /** Writes queued frames while the channel is writable; resumes from {@link #channelWritabilityChanged}. */
  private void pump() {
    Channel ch = ctx.channel();
    boolean unflushed = false;
    while (state == State.ESTABLISHED && ch.isWritable()) {
      if (sending == null) {
        Outbound next = queue.poll();
        if (next == null) break;
        if (next instanceof OutNotice n) {
          ctx.write(noticeFrame(n.notice()));
          unflushed = true;
          continue;
        }
        queuedSnapshots--;
        sending = ((OutSnapshot) next).snapshot();
        sendOffset = 0;
        sendIndex = 0;
        sendCrc.reset();
        lastOutboundProgress = System.nanoTime();
        ctx.write(Frame.newBuilder().setSnapshotHeader(SnapshotHeader.newBuilder()
            .setRound(sending.round()).setSync(sending.sync()).setSequence(sending.sequence())
            .setDataSize(sending.dataSize()).setPayloadBytes(sending.payload().length)
            .setKind(sending.kind() == PeerSnapshot.Kind.RING_STATE ? PayloadKind.RING_STATE : PayloadKind.MODEL)).build());
        unflushed = true;
      }
      byte[] payload = sending.payload();
      if (sendOffset < payload.length) {
        int n = Math.min(config.chunkBytes(), payload.length - sendOffset);
        // Wrapping, not copying: the chunk bytes are copied once, by the socket write (or the TLS encryption).
        ByteBuf chunk = WireFraming.chunkFrame(ctx.alloc(), sendIndex, payload, sendOffset, n);
        sendCrc.update(payload, sendOffset, n);
        sendOffset += n;
        sendIndex++;
        ctx.writeAndFlush(chunk).addListener(f -> {
          if (f.isSuccess()) lastOutboundProgress = System.nanoTime();
        });
        unflushed = false;
      } else {
        ctx.write(Frame.newBuilder().setSnapshotEnd(SnapshotEnd.newBuilder()
            .setCrc32C((int) sendCrc.getValue()).setChunks(sendIndex)).build());
        unflushed = true;
        sending = null;
      }
    }
    if (unflushed) ctx.flush();
  }

  private void onControl(dev.ipa.transport.internal.wire.ControlNotice c) {
    switch (c.getKind()) {
      case PAUSE, RESUME -> host.deliver(this, new PeerNotice(remotePeer, PeerNotice.Kind.valueOf(c.getKind().name()), c.getRound(), c.getReason()));
      default -> fail(ErrorCode.PROTOCOL_VIOLATION, "unknown control notice " + c.getKind());
    }
  }

  private static Frame noticeFrame(PeerNotice n) {
    return switch (n.kind()) {
      case STOP -> Frame.newBuilder().setStop(StopNotice.newBuilder().setRound(n.round()).setReason(n.reason())).build();
      case RESYNC_REQUEST -> Frame.newBuilder().setResync(ResyncRequest.newBuilder().setRound(n.round()).setReason(n.reason())).build();
      case PAUSE, RESUME -> Frame.newBuilder().setControl(dev.ipa.transport.internal.wire.ControlNotice.newBuilder()
          .setKind(dev.ipa.transport.internal.wire.ControlKind.valueOf(n.kind().name())).setRound(n.round()).setReason(n.reason())).build();
    };
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) pump();
    ctx.fireChannelWritabilityChanged();
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    long now = System.nanoTime();
    handshakeDeadline = now + config.progressTimeout().toNanos();
    long period = Math.max(TimeUnit.MILLISECONDS.toNanos(20), config.progressTimeout().toNanos() / 4);
    watchdog = ctx.executor().scheduleAtFixedRate(this::watch, period, period, TimeUnit.NANOSECONDS);
    if (!secure) startHandshake();
    ctx.fireChannelActive();
  }

  private void startHandshake() {
    if (state != State.CONNECTING) return;
    if (initiator) {
      state = State.AWAITING_ACCEPT;
      ctx.writeAndFlush(Frame.newBuilder().setHello(localHello()).build());
    } else {
      state = State.AWAITING_HELLO;
    }
  }

  Hello localHello() {
    return helloOf(config);
  }

  /** The Hello a peer with {@code config} announces. */
  static Hello helloOf(NettyTransportConfig config) {
    return Hello.newBuilder()
        .setProtocolVersion(PROTOCOL_VERSION)
        .setFederationId(config.federation())
        .setPeerId(config.peerId())
        .setFingerprint(dev.ipa.transport.internal.wire.ModelFingerprint.newBuilder()
            .setArchitecture(config.fingerprint().architecture())
            .setParameterCount(config.fingerprint().parameterCount()))
        .addAllCodecs(config.codecs())
        .build();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    State was = state;
    state = State.CLOSED;
    if (watchdog != null) watchdog.cancel(false);
    queue.clear();
    queuedSnapshots = 0;
    sending = null;
    receiving = null;
    receivePayload = null;
    if (was == State.ESTABLISHED) LOG.info("Link to peer {} ({}) closed.", remotePeer, ctx.channel().remoteAddress());
    host.closed(this);
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent tls) {
      if (tls.isSuccess()) {
        startHandshake();
      } else {
        LOG.warn("TLS handshake with {} failed, connection closed: {}", describeRemote(), rootMessage(tls.cause()));
        state = State.CLOSED;
        ctx.close();
      }
    } else if (evt instanceof IdleStateEvent idle) {
      if (idle.state() == IdleState.WRITER_IDLE && state == State.ESTABLISHED) {
        ctx.writeAndFlush(Frame.newBuilder().setHeartbeat(Heartbeat.newBuilder()
            .setTimestampNanos(System.nanoTime())).build());
      } else if (idle.state() == IdleState.READER_IDLE && !pausedForInbox) {
        LOG.warn("Nothing heard from {} for {}; closing the link as dead.", describeRemote(), config.deadAfter());
        ctx.close();
      }
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** Periodic check on the event loop: handshake deadline and progress of both transfer directions. */
  private void watch() {
    long now = System.nanoTime();
    long timeout = config.progressTimeout().toNanos();
    if (state != State.ESTABLISHED && state != State.CLOSED && now > handshakeDeadline) {
      fail(ErrorCode.HANDSHAKE_FAILED, "the handshake did not complete within " + config.progressTimeout());
    } else if (receiving != null && !pausedForInbox && now - lastInboundProgress > timeout) {
      fail(ErrorCode.PROGRESS_TIMEOUT, "no snapshot chunk arrived for " + config.progressTimeout()
          + " (" + received + " of " + receivePayload.length + " bytes received)");
    } else if (sending != null && !ctx.channel().isWritable() && now - lastOutboundProgress > timeout) {
      LOG.warn("Peer {} stopped reading: nothing could be written to it for {} ({} of {} bytes sent); closing the link.",
          describeRemote(), config.progressTimeout(), sendOffset, sending.payload().length);
      state = State.CLOSED;
      ctx.close();
    }
  }

  // ---------------------------------------------------------------- inbound

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (!(msg instanceof WireFraming.ChunkFrame chunk)) {
      super.channelRead(ctx, msg);
      return;
    }
    try {
      if (state == State.CLOSED) return;
      if (state != State.ESTABLISHED) {
        fail(ErrorCode.PROTOCOL_VIOLATION, Frame.BodyCase.SNAPSHOT_CHUNK + " arrived before the handshake completed");
        return;
      }
      counters.lastSeen = java.time.Instant.now();
      ByteBuf data = chunk.content();
      int n = data.readableBytes();
      if (acceptChunk(chunk.index, n)) {
        data.getBytes(data.readerIndex(), receivePayload, received, n);
        chunkReceived(n);
      }
    } finally {
      chunk.release();
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
    if (state == State.CLOSED) return;
    if (state == State.ESTABLISHED) counters.lastSeen = java.time.Instant.now();
    switch (frame.getBodyCase()) {
      case HELLO -> onHello(frame.getHello());
      case ACCEPT -> onAccept(frame.getAccept());
      case REJECT -> onReject(frame.getReject());
      case ERROR -> onError(frame.getError());
      case HEARTBEAT -> onHeartbeat(frame.getHeartbeat());
      default -> {
        if (state != State.ESTABLISHED) {
          fail(ErrorCode.PROTOCOL_VIOLATION, frame.getBodyCase() + " arrived before the handshake completed");
          return;
        }
        switch (frame.getBodyCase()) {
          case SNAPSHOT_HEADER -> onHeader(frame.getSnapshotHeader());
          case SNAPSHOT_CHUNK -> onChunk(frame.getSnapshotChunk());
          case SNAPSHOT_END -> onEnd(frame.getSnapshotEnd());
          case ACK -> LOG.trace("Peer {} acknowledged snapshot #{}.", remotePeer, frame.getAck().getSequence());
          case STOP -> host.deliver(this, new PeerNotice(remotePeer, PeerNotice.Kind.STOP,
              frame.getStop().getRound(), frame.getStop().getReason()));
          case RESYNC -> host.deliver(this, new PeerNotice(remotePeer, PeerNotice.Kind.RESYNC_REQUEST,
              frame.getResync().getRound(), frame.getResync().getReason()));
          case CONTROL -> onControl(frame.getControl());
          default -> fail(ErrorCode.PROTOCOL_VIOLATION, "unexpected " + frame.getBodyCase());
        }
      }
    }
  }

  private void onHello(Hello hello) {
    if (state != State.AWAITING_HELLO) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "a Hello arrived in state " + state);
      return;
    }
    String reason = checkHello(hello);
    if (reason == null) reason = host.admit(this, hello.getPeerId());
    if (reason != null) {
      reject(hello.getPeerId(), reason);
      return;
    }
    remotePeer = hello.getPeerId();
    ctx.writeAndFlush(Frame.newBuilder().setAccept(Accept.newBuilder().setHello(localHello())).build());
    established();
  }

  private void onAccept(Accept accept) {
    if (state != State.AWAITING_ACCEPT) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "an Accept arrived in state " + state);
      return;
    }
    Hello hello = accept.getHello();
    String reason = checkHello(hello);
    if (reason == null && !hello.getPeerId().equals(dialedPeer)) {
      reason = "peer '" + dialedPeer + "' was dialed but '" + hello.getPeerId() + "' answered";
    }
    if (reason != null) {
      fail(ErrorCode.HANDSHAKE_FAILED, reason);
      return;
    }
    String refused = host.confirm(this, hello.getPeerId());
    if (refused != null) {
      LOG.debug("Dropping connection to {}: {}", hello.getPeerId(), refused);
      state = State.CLOSED;
      ctx.close();
      return;
    }
    remotePeer = hello.getPeerId();
    established();
  }

  private void established() {
    state = State.ESTABLISHED;
    LOG.info("Link to peer {} ({}, {}) is up.", remotePeer, ctx.channel().remoteAddress(),
        initiator ? "dialed" : "accepted");
    pump();
  }

  /** Why {@code hello} cannot be accepted, or null if it can. */
  String checkHello(Hello hello) {
    if (hello.getProtocolVersion() != PROTOCOL_VERSION) {
      return "protocol version " + hello.getProtocolVersion() + " is not supported (this peer speaks " + PROTOCOL_VERSION + ")";
    }
    if (!hello.getFederationId().equals(config.federation())) {
      return "federation '" + hello.getFederationId() + "' is not this peer's federation '" + config.federation() + "'";
    }
    String id = hello.getPeerId();
    if (id.equals(config.peerId()) || !config.peers().containsKey(id)) {
      return "peer id '" + id + "' is not listed in the configuration of peer '" + config.peerId() + "'";
    }
    if (secure) {
      String certified = certifiedIdentity();
      if (!id.equals(certified)) {
        return "the peer announced id '" + id + "' but its certificate names '" + certified + "'";
      }
    }
    ModelFingerprint theirs = new ModelFingerprint(
        hello.getFingerprint().getArchitecture().isBlank() ? "?" : hello.getFingerprint().getArchitecture(),
        Math.max(0, hello.getFingerprint().getParameterCount()));
    if (!theirs.equals(config.fingerprint())) {
      return "model fingerprint " + theirs + " does not match this peer's " + config.fingerprint();
    }
    Set<String> common = new HashSet<>(hello.getCodecsList());
    common.retainAll(config.codecs());
    if (common.isEmpty()) {
      return "no snapshot codec in common (" + hello.getCodecsList() + " vs " + config.codecs() + ")";
    }
    return null;
  }

  private String certifiedIdentity() {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    if (ssl == null) return null;
    try {
      Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x ? FederationTls.identity(x) : null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  private void reject(String announced, String reason) {
    if (reason.startsWith(DUPLICATE)) {
      LOG.debug("Refused connection from {} (peer '{}'): {}.", ctx.channel().remoteAddress(), announced, reason);
    } else {
      LOG.warn("Rejected connection from {} announcing peer '{}': {}.", ctx.channel().remoteAddress(), announced, reason);
    }
    state = State.CLOSED;
    ctx.writeAndFlush(Frame.newBuilder().setReject(Reject.newBuilder().setReason(reason)).build())
        .addListener(ChannelFutureListener.CLOSE);
  }

  private void onReject(Reject reject) {
    if (state != State.AWAITING_ACCEPT) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "a Reject arrived in state " + state);
      return;
    }
    if (reject.getReason().startsWith(DUPLICATE)) {
      LOG.debug("Peer {} kept another connection: {}", dialedPeer, reject.getReason());
    } else {
      LOG.warn("Peer {} rejected the connection: {}.", dialedPeer, reject.getReason());
    }
    state = State.CLOSED;
    ctx.close();
  }

  private void onError(Error error) {
    LOG.warn("Peer {} reported {} and closes the connection: {}", describeRemote(), error.getCode(), error.getMessage());
    state = State.CLOSED;
    ctx.close();
  }

  private void onHeartbeat(Heartbeat heartbeat) {
    if (state != State.ESTABLISHED) return;
    if (heartbeat.getReply()) {
      counters.roundTripMillis = (System.nanoTime() - heartbeat.getTimestampNanos()) / 1e6;
    } else {
      ctx.writeAndFlush(Frame.newBuilder().setHeartbeat(heartbeat.toBuilder().setReply(true)).build());
    }
  }

  private void onHeader(SnapshotHeader header) {
    if (receiving != null) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "snapshot #" + header.getSequence() + " began before #"
          + receiving.getSequence() + " ended");
      return;
    }
    if (header.getPayloadBytes() < 0 || header.getPayloadBytes() > config.maxSnapshotBytes()) {
      fail(ErrorCode.SNAPSHOT_TOO_LARGE, "a snapshot of " + header.getPayloadBytes()
          + " bytes was announced; this peer accepts at most " + config.maxSnapshotBytes());
      return;
    }
    if (header.getRound() < 0 || header.getSync() < 0 || header.getDataSize() < 0) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "snapshot header with a negative round, sync or data size");
      return;
    }
    receiving = header;
    receivePayload = host.receiveArray(this, (int) header.getPayloadBytes());
    received = 0;
    receiveIndex = 0;
    receiveCrc.reset();
    lastInboundProgress = System.nanoTime();
  }

  /** A chunk that took the protobuf path (a valid but not canonically encoded chunk frame). */
  private void onChunk(SnapshotChunk chunk) {
    int n = chunk.getData().size();
    if (acceptChunk(chunk.getIndex(), n)) {
      chunk.getData().copyTo(receivePayload, received);
      chunkReceived(n);
    }
  }

  /** Whether chunk {@code index} of {@code n} bytes may be copied to {@code receivePayload[received..]}; else fails. */
  private boolean acceptChunk(int index, int n) {
    if (receiving == null) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "chunk " + index + " arrived outside a snapshot");
      return false;
    }
    if (index != receiveIndex) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "chunk " + index + " arrived where chunk " + receiveIndex + " was due");
      return false;
    }
    if (n > receivePayload.length - received) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "chunks exceed the announced " + receivePayload.length + " bytes");
      return false;
    }
    return true;
  }

  private void chunkReceived(int n) {
    receiveCrc.update(receivePayload, received, n);
    received += n;
    receiveIndex++;
    lastInboundProgress = System.nanoTime();
  }

  private void onEnd(SnapshotEnd end) {
    if (receiving == null) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "a snapshot end arrived outside a snapshot");
      return;
    }
    if (received != receivePayload.length || end.getChunks() != receiveIndex) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "snapshot #" + receiving.getSequence() + " ended after " + received + " of "
          + receivePayload.length + " bytes in " + receiveIndex + " chunks (sender counted " + end.getChunks() + ")");
      return;
    }
    if ((int) receiveCrc.getValue() != end.getCrc32C()) {
      fail(ErrorCode.CHECKSUM_MISMATCH, "snapshot #" + receiving.getSequence() + " failed its CRC32C check");
      return;
    }
    SnapshotHeader h = receiving;
    PeerSnapshot snapshot = new PeerSnapshot(remotePeer, h.getRound(), h.getSync(), h.getSequence(), h.getDataSize(), receivePayload,
        h.getKind() == PayloadKind.RING_STATE ? PeerSnapshot.Kind.RING_STATE : PeerSnapshot.Kind.MODEL);
    receiving = null;
    receivePayload = null;
    counters.lastRound = Math.max(counters.lastRound, h.getRound());
    ctx.writeAndFlush(Frame.newBuilder().setAck(Ack.newBuilder().setSequence(h.getSequence())).build());
    if (undelivered.incrementAndGet() >= MAX_UNDELIVERED) {
      // The inbox is behind: stop reading, so TCP pushes back on the sender instead of snapshots piling up here.
      pausedForInbox = true;
      ctx.channel().config().setAutoRead(false);
    }
    Channel ch = ctx.channel();
    host.deliver(this, snapshot, () -> {
      if (undelivered.decrementAndGet() < MAX_UNDELIVERED && pausedForInbox) {
        ch.eventLoop().execute(() -> {
          pausedForInbox = false;
          ch.config().setAutoRead(true);
          lastInboundProgress = System.nanoTime();
        });
      }
    });
  }

  // ---------------------------------------------------------------- errors

  /** Sends an Error frame, logs one WARN line and closes; nothing more is read from this connection. */
  void fail(ErrorCode code, String message) {
    if (state == State.CLOSED) return;
    LOG.warn("Closing connection with {}: {} ({}).", describeRemote(), message, code);
    state = State.CLOSED;
    receiving = null;
    receivePayload = null;
    ctx.channel().config().setAutoRead(false);
    ctx.writeAndFlush(Frame.newBuilder().setError(Error.newBuilder().setCode(code).setMessage(message)).build())
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Netty wraps what a decoder throws in a plain DecoderException; its own codec exceptions are subclasses of it.
    Throwable c = cause.getClass() == DecoderException.class && cause.getCause() != null ? cause.getCause() : cause;
    if (c instanceof TooLongFrameException) {
      fail(ErrorCode.FRAME_TOO_LARGE, "frame exceeds the " + config.maxFrameBytes() + "-byte limit: " + c.getMessage());
    } else if (c instanceof CorruptedFrameException) {
      fail(ErrorCode.MALFORMED_FRAME, c.getMessage());
    } else if (c instanceof SSLException) {
      if (state != State.CLOSED) LOG.warn("TLS failed with {}, connection closed: {}", describeRemote(), rootMessage(c));
      state = State.CLOSED;
      ctx.close();
    } else if (c instanceof IOException) {
      LOG.debug("Connection with {} failed: {}", describeRemote(), c.toString());
      ctx.close();
    } else {
      LOG.warn("Unexpected failure on the connection with {}; closing it.", describeRemote(), c);
      if (state == State.CLOSED) ctx.close();
      else fail(ErrorCode.PROTOCOL_VIOLATION, "internal error: " + c);
    }
  }

  private String describeRemote() {
    String who = remotePeer != null ? remotePeer : dialedPeer;
    Object address = ctx == null ? null : ctx.channel().remoteAddress();
    return who == null ? String.valueOf(address) : "peer " + who + " (" + address + ")";
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return root.getMessage() != null ? root.getMessage() : root.toString();
  }
}
