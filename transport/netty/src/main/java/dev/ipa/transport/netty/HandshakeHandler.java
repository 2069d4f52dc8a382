package dev.ipa.transport.netty;

import dev.ipa.transport.ModelFingerprint;
import dev.ipa.transport.internal.wire.Accept;
import dev.ipa.transport.internal.wire.ErrorCode;
import dev.ipa.transport.internal.wire.Frame;
import dev.ipa.transport.internal.wire.Hello;
import dev.ipa.transport.internal.wire.Reject;
import dev.ipa.transport.internal.wire.Setting;
import com.google.protobuf.ByteString;
import dev.ipa.transport.tls.FederationTls;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer handshake: the dialer sends Hello, the acceptor checks it and answers Accept (with its own Hello) or
 * Reject; the dialer checks the acceptor's Hello the same way and that the peer answering is the one it dialed.
 * Both check protocol version, federation, that the id is configured, that it is the certificate's identity (TLS),
 * the model fingerprint and a codec in common, then ask the {@link ConnectionHost} to admit the connection as the
 * link to that peer (the tie-break between simultaneous dials).
 *
 * <p>Until then it lets only heartbeats and error frames pass; anything else is a protocol violation. A handshake
 * not complete within {@code progressTimeout} of the connection becoming active fails.
 *
 * <p>One per connection, event loop only. Lifecycle: added with the pipeline; starts the handshake when the channel
 * is active (plaintext) or the TLS handshake succeeded; removes itself from the pipeline once the link is admitted.
 */
final class HandshakeHandler extends ChannelInboundHandlerAdapter {
  static final String NAME = "handshake";
  private static final Logger LOG = LoggerFactory.getLogger(HandshakeHandler.class);

  private final PeerConnection connection;
  private final NettyTransportConfig config;
  private ScheduledFuture<?> deadline;

  HandshakeHandler(PeerConnection connection) {
    this.connection = connection;
    this.config = connection.config();
  }

  /** The Hello a peer with {@code config} announces. */
  static Hello helloOf(NettyTransportConfig config) {
    return Hello.newBuilder()
        .setProtocolVersion(PeerConnection.PROTOCOL_VERSION)
        .setFederationId(config.federation())
        .setPeerId(config.peerId())
        .setFingerprint(dev.ipa.transport.internal.wire.ModelFingerprint.newBuilder()
            .setArchitecture(config.fingerprint().architecture())
            .setParameterCount(config.fingerprint().parameterCount()))
        .addAllCodecs(config.codecs())
        .addAllSettings(config.settings().entrySet().stream()
            .map(e -> Setting.newBuilder().setKey(e.getKey()).setValue(e.getValue()).build()).toList())
        .setSettingsSha256(ByteString.copyFrom(FederationSettingsHash.of(config.settings())))
        .build();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    deadline = ctx.executor().schedule(this::deadlinePassed, config.progressTimeout().toNanos(), TimeUnit.NANOSECONDS);
    if (!connection.secure()) startHandshake(ctx);
    ctx.fireChannelActive();
  }

  private void deadlinePassed() {
    if (!connection.established() && !connection.closed()) {
      connection.fail(ErrorCode.HANDSHAKE_FAILED, "the handshake did not complete within " + config.progressTimeout());
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (deadline != null) deadline.cancel(false);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (deadline != null) deadline.cancel(false);
    ctx.fireChannelInactive();
  }

  private void startHandshake(ChannelHandlerContext ctx) {
    if (connection.state() != PeerConnection.State.CONNECTING) return;
    if (connection.initiator()) {
      connection.state(PeerConnection.State.AWAITING_ACCEPT);
      ctx.writeAndFlush(Frame.newBuilder().setHello(helloOf(config)).build());
    } else {
      connection.state(PeerConnection.State.AWAITING_HELLO);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent tls) {
      if (tls.isSuccess()) {
        startHandshake(ctx);
      } else if (tls.cause() instanceof java.nio.channels.ClosedChannelException) {
        // The channel closed before TLS finished: this side (or the peer) dropped it, e.g. the duplicate of two
        // peers dialling each other at once, or a shutdown. BoringSSL reports that as a failed handshake; it is
        // no fault of the remote side, so it is not a warning.
        LOG.debug("TLS handshake with {} ended: the connection closed first.", connection.describeRemote());
        connection.closeNow();
      } else {
        connection.warn("TLS handshake with {} failed, connection closed: {}", connection.describeRemote(),
            PeerConnection.rootMessage(tls.cause()));
        connection.closeNow();
      }
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Frame frame)) {
      // Only a snapshot chunk takes the fast path around protobuf.
      ReferenceCountUtil.release(msg);
      refuseBeforeHandshake(Frame.BodyCase.SNAPSHOT_CHUNK);
      return;
    }
    switch (frame.getBodyCase()) {
      case HELLO -> onHello(ctx, frame.getHello());
      case ACCEPT -> onAccept(ctx, frame.getAccept());
      case REJECT -> onReject(frame.getReject());
      case ERROR -> ctx.fireChannelRead(frame);
      default -> refuseBeforeHandshake(frame.getBodyCase());
    }
  }

  private void refuseBeforeHandshake(Frame.BodyCase body) {
    connection.fail(ErrorCode.PROTOCOL_VIOLATION, body + " arrived before the handshake completed");
  }

  private void onHello(ChannelHandlerContext ctx, Hello hello) {
    if (connection.state() != PeerConnection.State.AWAITING_HELLO) {
      connection.fail(ErrorCode.PROTOCOL_VIOLATION, "a Hello arrived in state " + connection.state());
      return;
    }
    String reason = checkHello(ctx, hello);
    if (reason == null) reason = connection.host().admit(connection, hello.getPeerId());
    if (reason != null) {
      reject(ctx, hello.getPeerId(), reason);
      return;
    }
    connection.remotePeer(hello.getPeerId());
    ctx.writeAndFlush(Frame.newBuilder().setAccept(Accept.newBuilder().setHello(helloOf(config))).build());
    established(ctx);
  }

  private void onAccept(ChannelHandlerContext ctx, Accept accept) {
    if (connection.state() != PeerConnection.State.AWAITING_ACCEPT) {
      connection.fail(ErrorCode.PROTOCOL_VIOLATION, "an Accept arrived in state " + connection.state());
      return;
    }
    Hello hello = accept.getHello();
    String dialed = connection.dialedPeer();
    String reason = checkHello(ctx, hello);
    if (reason == null && !hello.getPeerId().equals(dialed)) {
      reason = "peer '" + dialed + "' was dialed but '" + hello.getPeerId() + "' answered";
    }
    if (reason != null) {
      connection.fail(ErrorCode.HANDSHAKE_FAILED, reason);
      return;
    }
    String refused = connection.host().confirm(connection, hello.getPeerId());
    if (refused != null) {
      LOG.debug("Dropping connection to {}: {}", hello.getPeerId(), refused);
      connection.closeNow();
      return;
    }
    connection.remotePeer(hello.getPeerId());
    established(ctx);
  }

  /** The link is admitted: from here on the handshake's frames are protocol violations, so this handler leaves. */
  private void established(ChannelHandlerContext ctx) {
    connection.state(PeerConnection.State.ESTABLISHED);
    LOG.info("Link to peer {} ({}, {}) is up.", connection.remotePeer(), ctx.channel().remoteAddress(),
        connection.initiator() ? "dialed" : "accepted");
    ctx.pipeline().remove(this);
  }

  /** Why {@code hello} cannot be accepted, or null if it can. */
  private String checkHello(ChannelHandlerContext ctx, Hello hello) {
    if (hello.getProtocolVersion() != PeerConnection.PROTOCOL_VERSION) {
      return "protocol version " + hello.getProtocolVersion() + " is not supported (this peer speaks "
          + PeerConnection.PROTOCOL_VERSION + ")";
    }
    if (!hello.getFederationId().equals(config.federation())) {
      return "federation '" + RemoteWarnings.clip(hello.getFederationId(), RemoteWarnings.HELLO_TEXT) + "' is not this peer's federation '" + config.federation() + "'";
    }
    String id = hello.getPeerId();
    if (id.equals(config.peerId()) || !config.peers().containsKey(id)) {
      return "peer id '" + RemoteWarnings.clip(id, RemoteWarnings.HELLO_TEXT) + "' is not listed in the configuration of peer '" + config.peerId() + "'";
    }
    if (connection.secure()) {
      String certified = certifiedIdentity(ctx);
      if (!id.equals(certified)) {
        return "the peer announced id '" + id + "' but its certificate names '" + certified + "'";
      }
    }
    ModelFingerprint theirs = new ModelFingerprint(
        hello.getFingerprint().getArchitecture().isBlank() ? "?" : RemoteWarnings.clip(hello.getFingerprint().getArchitecture(), RemoteWarnings.HELLO_TEXT),
        Math.max(0, hello.getFingerprint().getParameterCount()));
    if (!theirs.equals(config.fingerprint())) {
      return "model fingerprint " + theirs + " does not match this peer's " + config.fingerprint();
    }
    Set<String> common = new HashSet<>(hello.getCodecsList());
    common.retainAll(config.codecs());
    if (common.isEmpty()) {
      return "no snapshot codec in common (" + RemoteWarnings.clip(hello.getCodecsList().toString(), RemoteWarnings.HELLO_TEXT) + " vs " + config.codecs() + ")";
    }
    return settingsMismatch(hello);
  }

  /**
   * Null if {@code hello} announces the federation settings this peer has (equal hashes), else one sentence naming
   * the first key, in key order, whose values differ, with both values.
   */
  private String settingsMismatch(Hello hello) {
    if (java.util.Arrays.equals(hello.getSettingsSha256().toByteArray(), FederationSettingsHash.of(config.settings()))) return null;
    java.util.SortedMap<String, String> theirs = new java.util.TreeMap<>();
    for (Setting s : hello.getSettingsList()) theirs.putIfAbsent(s.getKey(), s.getValue());
    String key = FederationSettingsHash.firstDifference(config.settings(), theirs);
    String peer = RemoteWarnings.clip(hello.getPeerId(), RemoteWarnings.HELLO_TEXT);
    if (key == null) {
      return "peer " + peer + "'s federation settings hash does not match the settings it lists; it runs another build of this software";
    }
    return "Peer " + peer + "'s federation settings differ from peer " + config.peerId() + "'s at " + RemoteWarnings.clip(key, RemoteWarnings.HELLO_TEXT) + ": "
        + config.peerId() + " has " + shown(config.settings().get(key)) + ", " + peer + " has " + shown(theirs.get(key))
        + "; make them equal on every peer";
  }

  private static String shown(String value) {
    return value == null ? "no value" : RemoteWarnings.clip(value, RemoteWarnings.HELLO_TEXT);
  }

  /** The identity the peer's TLS certificate names; null without TLS or a verified certificate. */
  private static String certifiedIdentity(ChannelHandlerContext ctx) {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    if (ssl == null) return null;
    try {
      Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x ? FederationTls.identity(x) : null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  private void reject(ChannelHandlerContext ctx, String announced, String reason) {
    if (reason.startsWith(LinkTable.DUPLICATE)) {
      LOG.debug("Refused connection from {} (peer '{}'): {}.", ctx.channel().remoteAddress(), announced, reason);
    } else {
      connection.warn("Rejected connection from {} announcing peer '{}': {}.", ctx.channel().remoteAddress(), announced, reason);
    }
    connection.state(PeerConnection.State.CLOSED);
    ctx.writeAndFlush(Frame.newBuilder().setReject(Reject.newBuilder().setReason(reason)).build())
        .addListener(ChannelFutureListener.CLOSE);
  }

  private void onReject(Reject reject) {
    if (connection.state() != PeerConnection.State.AWAITING_ACCEPT) {
      connection.fail(ErrorCode.PROTOCOL_VIOLATION, "a Reject arrived in state " + connection.state());
      return;
    }
    if (reject.getReason().startsWith(LinkTable.DUPLICATE)) {
      LOG.debug("Peer {} kept another connection: {}", connection.dialedPeer(), reject.getReason());
    } else {
      connection.warn("Peer {} rejected the connection: {}.", connection.dialedPeer(), reject.getReason());
    }
    connection.closeNow();
  }
}
