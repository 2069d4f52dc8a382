package dev.ipa.transport.netty;

import static dev.ipa.transport.netty.EmbeddedPeer.framed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ipa.transport.internal.wire.Accept;
import dev.ipa.transport.internal.wire.ErrorCode;
import dev.ipa.transport.internal.wire.Frame;
import dev.ipa.transport.internal.wire.Hello;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The handshake step in an EmbeddedChannel, for both the accepting and the dialing side. */
class HandshakeHandlerTest {

  /** Local peer "a" knowing "b" and "c", so an answer from the wrong configured peer can be tried. */
  private static final NettyTransportConfig THREE = NettyTransportConfig.insecure("fed", "a",
          new InetSocketAddress("127.0.0.1", 0),
          Map.of("a", new InetSocketAddress("127.0.0.1", 1), "b", new InetSocketAddress("127.0.0.1", 2),
              "c", new InetSocketAddress("127.0.0.1", 3)),
          LoopbackFixture.MODEL)
      .withLimits(4096, 1024, 1 << 20, 4, 1 << 20);

  private static Frame accept(String from) {
    Hello hello = HandshakeHandler.helloOf(EmbeddedPeer.peerConfig(from)).toBuilder().clearCodecs().addCodecs("raw").build();
    return Frame.newBuilder().setAccept(Accept.newBuilder().setHello(hello)).build();
  }

  @Test
  void anAcceptedPeerIsAdmittedAndTheHandshakeHandlerLeavesThePipeline() {
    EmbeddedPeer p = new EmbeddedPeer();
    assertThat(p.channel.pipeline().get(HandshakeHandler.class)).isNotNull();
    assertThat(p.connection.state()).isEqualTo(PeerConnection.State.AWAITING_HELLO);

    p.established();

    assertThat(p.admitted).containsExactly("b");
    assertThat(p.connection.state()).isEqualTo(PeerConnection.State.ESTABLISHED);
    assertThat(p.connection.remotePeer()).isEqualTo("b");
    assertThat(p.channel.pipeline().get(HandshakeHandler.class)).isNull();
    assertThat(p.channel.pipeline().names()).containsSubsequence("heartbeat", "streamer", "assembler", "delivery", "errors");
    assertThat(p.channel.isOpen()).isTrue();
  }

  @Test
  void aSecondHelloAfterAdmissionIsAProtocolViolation() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    p.channel.writeInbound(framed(Frame.newBuilder().setHello(HandshakeHandler.helloOf(EmbeddedPeer.peerConfig("b"))).build()));
    p.assertClosedWithError(ErrorCode.PROTOCOL_VIOLATION);
    assertThat(p.admitted).as("admitted once, not twice").containsExactly("b");
  }

  @Test
  void aDialerSendsItsHelloAtOnceAndIsAdmittedOnTheDialedPeersAccept() {
    EmbeddedPeer p = new EmbeddedPeer(EmbeddedPeer.CONFIG, "b");
    assertThat(p.outbound()).singleElement().satisfies(f -> assertThat(f.getHello().getPeerId()).isEqualTo("a"));
    assertThat(p.connection.state()).isEqualTo(PeerConnection.State.AWAITING_ACCEPT);

    p.channel.writeInbound(framed(accept("b")));

    assertThat(p.admitted).containsExactly("b");
    assertThat(p.connection.established()).isTrue();
    assertThat(p.channel.pipeline().get(HandshakeHandler.class)).isNull();
    assertThat(p.outbound()).as("the dialer answers an Accept with nothing").isEmpty();
  }

  @Test
  void anAcceptFromAnotherPeerThanTheOneDialedFailsTheHandshake() {
    EmbeddedPeer p = new EmbeddedPeer(THREE, "b");
    p.outbound();
    try (LogCapture log = new LogCapture()) {
      p.channel.writeInbound(framed(accept("c")));
      assertThat(log.warnings()).singleElement().asString().contains("peer 'b' was dialed but 'c' answered");
    }
    assertThat(p.admitted).isEmpty();
    assertThat(p.connection.remotePeer()).as("never authenticated").isNull();
    p.assertClosedWithError(ErrorCode.HANDSHAKE_FAILED);
  }

  @Test
  void aDialWhoseAcceptLosesTheTieBreakClosesWithoutAnError() {
    EmbeddedPeer p = new EmbeddedPeer(EmbeddedPeer.CONFIG, "b");
    p.outbound();
    p.refuseWith = LinkTable.DUPLICATE + ": the connection initiated by 'b' is kept";
    p.channel.writeInbound(framed(accept("b")));
    assertThat(p.outbound()).isEmpty();
    assertThat(p.channel.isOpen()).isFalse();
    assertThat(p.connection.closed()).isTrue();
  }

  @Test
  void anAcceptorGettingAnAcceptOrARejectIsAProtocolViolation() {
    EmbeddedPeer p = new EmbeddedPeer();
    p.channel.writeInbound(framed(accept("b")));
    p.assertClosedWithError(ErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void aHandshakeNotCompleteWithinTheProgressTimeoutFails() {
    EmbeddedPeer p = new EmbeddedPeer();
    // The embedded clock runs on with real time besides what is added, hence half the timeout, then the rest.
    long half = EmbeddedPeer.CONFIG.progressTimeout().toNanos() / 2;
    p.channel.advanceTimeBy(half, TimeUnit.NANOSECONDS);
    p.channel.runScheduledPendingTasks();
    assertThat(p.channel.isOpen()).as("not yet").isTrue();
    p.channel.advanceTimeBy(half + TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.NANOSECONDS);
    p.channel.runScheduledPendingTasks();
    p.assertClosedWithError(ErrorCode.HANDSHAKE_FAILED);
  }

  @Test
  void anAdmittedLinkOutlivesTheHandshakeDeadline() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    p.channel.advanceTimeBy(2 * EmbeddedPeer.CONFIG.progressTimeout().toNanos(), TimeUnit.NANOSECONDS);
    p.channel.runScheduledPendingTasks();
    assertThat(p.channel.isOpen()).isTrue();
    assertThat(p.outbound()).isEmpty();
    assertThat(p.channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void framesOtherThanTheHandshakesBeforeItAreRefusedAndReleased() {
    EmbeddedPeer p = new EmbeddedPeer();
    var chunk = WireFraming.chunkFrame(p.channel.alloc(), 0, new byte[10], 0, 10);
    p.channel.writeInbound(chunk);
    assertThat(chunk.refCnt()).isZero();
    p.assertClosedWithError(ErrorCode.PROTOCOL_VIOLATION);
    assertThat(p.admitted).isEmpty();
  }

  @Test
  void theDialersHelloNamesItsFederationFingerprintAndCodecs() {
    EmbeddedPeer p = new EmbeddedPeer(EmbeddedPeer.CONFIG, "b");
    List<Frame> out = p.outbound();
    Hello hello = out.get(0).getHello();
    assertThat(hello.getProtocolVersion()).isEqualTo(PeerConnection.PROTOCOL_VERSION);
    assertThat(hello.getFederationId()).isEqualTo("fed");
    assertThat(hello.getFingerprint().getArchitecture()).isEqualTo(LoopbackFixture.MODEL.architecture());
    assertThat(hello.getFingerprint().getParameterCount()).isEqualTo(LoopbackFixture.MODEL.parameterCount());
    assertThat(hello.getCodecsList()).containsExactlyElementsOf(EmbeddedPeer.CONFIG.codecs());
  }
}
