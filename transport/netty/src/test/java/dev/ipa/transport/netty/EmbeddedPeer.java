package dev.ipa.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.internal.wire.ErrorCode;
import dev.ipa.transport.internal.wire.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The protocol handlers of local peer "a" behind the real framing in an EmbeddedChannel (an accepted connection, or
 * a dial to a given peer), with a host that records what it is given.
 */
final class EmbeddedPeer implements ConnectionHost {
  static final NettyTransportConfig CONFIG = NettyTransportConfig.insecure("fed", "a",
          new InetSocketAddress("127.0.0.1", 0),
          Map.of("a", new InetSocketAddress("127.0.0.1", 1), "b", new InetSocketAddress("127.0.0.1", 2)),
          LoopbackFixture.MODEL)
      .withLimits(4096, 1024, 1 << 20, 4, 1 << 20);

  final NettyTransportConfig config;
  final RemoteWarnings warnings = new RemoteWarnings(org.slf4j.LoggerFactory.getLogger(PeerConnection.class));
  final List<PeerSnapshot> snapshots = new ArrayList<>();
  final List<PeerNotice> notices = new ArrayList<>();
  final List<String> admitted = new ArrayList<>();
  String refuseWith;
  /** Where receive arrays come from when set; else fresh arrays full of leftovers. */
  ReceiveSpare spare;
  int closed;
  PeerConnection connection;
  final EmbeddedChannel channel;

  EmbeddedPeer() {
    this(CONFIG);
  }

  EmbeddedPeer(NettyTransportConfig config) {
    this(config, null);
  }

  /** @param dialedPeer the peer "a" dialed (it then sends its Hello at once), or null for an accepted connection */
  EmbeddedPeer(NettyTransportConfig config, String dialedPeer) {
    this.config = config;
    this.channel = new EmbeddedChannel(new ChannelInitializer<EmbeddedChannel>() {
      @Override
      protected void initChannel(EmbeddedChannel ch) {
        connection = new PeerConnection(EmbeddedPeer.this, ch, dialedPeer, false);
        WireFraming.addTo(ch.pipeline(), config.maxFrameBytes());
        connection.addHandlersTo(ch.pipeline());
      }
    });
  }

  /** Feeds "b"'s Hello and drops the Accept that answers it. */
  EmbeddedPeer established() {
    channel.writeInbound(framed(Frame.newBuilder().setHello(HandshakeHandler.helloOf(peerConfig("b"))).build()));
    List<Frame> out = outbound();
    if (out.size() != 1 || !out.get(0).hasAccept()) throw new AssertionError("no Accept: " + out);
    return this;
  }

  @Override
  public RemoteWarnings warnings() {
    return warnings;
  }

  static NettyTransportConfig peerConfig(String id) {
    return NettyTransportConfig.insecure("fed", id, new InetSocketAddress("127.0.0.1", 0),
        Map.of("a", new InetSocketAddress("127.0.0.1", 1), "b", new InetSocketAddress("127.0.0.1", 2)),
        LoopbackFixture.MODEL);
  }

  static ByteBuf framed(Frame frame) {
    ByteBuf b = Unpooled.buffer();
    try {
      WireFraming.FrameEncoder.encode(frame, b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b;
  }

  /** Every frame written so far, decoded; the outbound buffers are released. */
  List<Frame> outbound() {
    channel.runPendingTasks();
    ByteBuf all = Unpooled.buffer();
    for (Object o; (o = channel.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      all.writeBytes(b);
      b.release();
    }
    List<Frame> frames = new ArrayList<>();
    while (all.readableBytes() >= 4) {
      int n = all.readInt();
      frames.add(WireFraming.FrameDecoder.decode(all.readSlice(n)));
    }
    if (all.isReadable()) throw new AssertionError(all.readableBytes() + " bytes of a partial frame were written");
    all.release();
    return frames;
  }

  /** Asserts that the last frame written is an error with {@code code}, the channel closed, nothing left, nothing delivered. */
  void assertClosedWithError(ErrorCode code) {
    List<Frame> out = outbound();
    assertThat(out).last().satisfies(f -> assertThat(f.getError().getCode()).isEqualTo(code));
    assertThat(channel.isOpen()).isFalse();
    channel.checkException();
    assertThat(channel.finishAndReleaseAll()).as("nothing left in the channel").isFalse();
    assertThat(snapshots).isEmpty();
  }

  @Override
  public NettyTransportConfig config() {
    return config;
  }

  @Override
  public String admit(PeerConnection c, String peerId) {
    if (refuseWith != null) return refuseWith;
    admitted.add(peerId);
    return null;
  }

  @Override
  public String confirm(PeerConnection c, String peerId) {
    return admit(c, peerId);
  }

  @Override
  public void closed(PeerConnection c) {
    closed++;
  }

  /** Arrays full of leftovers, as a reused spare is: whatever the connection delivers, it must have written. */
  @Override
  public byte[] receiveArray(PeerConnection c, int size) {
    if (spare != null) return spare.take(size);
    byte[] a = new byte[size];
    Arrays.fill(a, (byte) 0x5a);
    return a;
  }

  @Override
  public void deliver(PeerConnection c, PeerSnapshot snapshot, Runnable delivered) {
    snapshots.add(snapshot);
    delivered.run();
  }

  @Override
  public void deliver(PeerConnection c, PeerNotice notice) {
    notices.add(notice);
  }
}
