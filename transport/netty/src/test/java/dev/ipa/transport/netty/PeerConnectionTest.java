package dev.ipa.transport.netty;

import dev.ipa.transport.ModelFingerprint;
import static dev.ipa.transport.netty.EmbeddedPeer.framed;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.internal.wire.ErrorCode;
import dev.ipa.transport.internal.wire.Frame;
import dev.ipa.transport.internal.wire.Heartbeat;
import dev.ipa.transport.internal.wire.Hello;
import dev.ipa.transport.internal.wire.SnapshotChunk;
import dev.ipa.transport.internal.wire.SnapshotEnd;
import dev.ipa.transport.internal.wire.SnapshotHeader;
import dev.ipa.transport.internal.wire.StopNotice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The protocol handlers behind the real framing, in an EmbeddedChannel: partial, oversized and bad input. */
class PeerConnectionTest {

  private static Frame hello(Hello.Builder h) {
    return Frame.newBuilder().setHello(h).build();
  }

  private static Hello.Builder helloFromB() {
    return HandshakeHandler.helloOf(EmbeddedPeer.peerConfig("b")).toBuilder();
  }

  static List<Frame> snapshotFrames(int sequence, byte[] payload, int chunk) {
    List<Frame> frames = new ArrayList<>();
    frames.add(Frame.newBuilder().setSnapshotHeader(SnapshotHeader.newBuilder().setRound(2).setSync(1)
        .setSequence(sequence).setDataSize(600).setPayloadBytes(payload.length)).build());
    int i = 0;
    for (int off = 0; off < payload.length; off += chunk, i++) {
      frames.add(Frame.newBuilder().setSnapshotChunk(SnapshotChunk.newBuilder().setIndex(i)
          .setData(ByteString.copyFrom(payload, off, Math.min(chunk, payload.length - off)))).build());
    }
    CRC32C crc = new CRC32C();
    crc.update(payload);
    frames.add(Frame.newBuilder().setSnapshotEnd(SnapshotEnd.newBuilder().setCrc32C((int) crc.getValue()).setChunks(i)).build());
    return frames;
  }

  @Test
  void aHelloArrivingOneByteAtATimeIsAcceptedAndEveryBufferIsReleased() {
    EmbeddedPeer p = new EmbeddedPeer();
    ByteBuf whole = framed(hello(helloFromB()));
    List<ByteBuf> pieces = new ArrayList<>();
    while (whole.isReadable()) pieces.add(whole.readRetainedSlice(1));
    whole.release();
    for (ByteBuf piece : pieces) {
      assertThat(p.admitted).isEmpty();
      p.channel.writeInbound(piece);
    }
    assertThat(p.admitted).containsExactly("b");
    List<Frame> out = p.outbound();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getAccept().getHello().getPeerId()).isEqualTo("a");
    assertThat(pieces).allMatch(b -> b.refCnt() == 0);
    assertThat(p.channel.isOpen()).isTrue();
    assertThat(p.channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void bytesThatAreNotAFrameCloseTheConnectionWithMalformedFrame() {
    EmbeddedPeer p = new EmbeddedPeer();
    ByteBuf garbage = Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 6, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1});
    p.channel.writeInbound(garbage);
    assertThat(garbage.refCnt()).isZero();
    p.assertClosedWithError(ErrorCode.MALFORMED_FRAME);
    assertThat(p.admitted).isEmpty();
  }

  @Test
  void randomGarbageClosesTheConnectionWithoutAnExceptionEscaping() {
    Random random = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      EmbeddedPeer p = new EmbeddedPeer();
      byte[] junk = new byte[1 + random.nextInt(3000)];
      random.nextBytes(junk);
      junk[0] = (byte) (junk[0] & 0x7f);
      ByteBuf in = Unpooled.wrappedBuffer(junk);
      p.channel.writeInbound(in);
      p.channel.checkException();
      p.outbound();
      assertThat(p.admitted).isEmpty();
      assertThat(p.snapshots).isEmpty();
      p.channel.finishAndReleaseAll();
      assertThat(in.refCnt()).isZero();
    }
  }

  @Test
  void aFrameAboveTheLimitFailsFastWithoutBufferingIt() {
    EmbeddedPeer p = new EmbeddedPeer();
    ByteBuf header = Unpooled.buffer().writeInt(EmbeddedPeer.CONFIG.maxFrameBytes() + 1).writeBytes(new byte[100]);
    p.channel.writeInbound(header);
    assertThat(header.refCnt()).isZero();
    p.assertClosedWithError(ErrorCode.FRAME_TOO_LARGE);
  }

  @Test
  void aTruncatedFrameDeliversNothingAndLeavesNothingBehind() {
    EmbeddedPeer p = new EmbeddedPeer();
    ByteBuf whole = framed(hello(helloFromB()));
    ByteBuf half = whole.readRetainedSlice(whole.readableBytes() / 2);
    whole.release();
    p.channel.writeInbound(half);
    assertThat(p.admitted).isEmpty();
    assertThat(p.outbound()).isEmpty();
    assertThat(p.channel.finishAndReleaseAll()).isFalse();
    assertThat(half.refCnt()).as("the partial frame's cumulation was released on close").isZero();
  }

  @Test
  void aWrongProtocolVersionIsRejectedWithItsReason() {
    EmbeddedPeer p = new EmbeddedPeer();
    p.channel.writeInbound(framed(hello(helloFromB().setProtocolVersion(2))));
    List<Frame> out = p.outbound();
    assertThat(out).singleElement().satisfies(f -> assertThat(f.getReject().getReason()).contains("protocol version 2"));
    assertThat(p.channel.isOpen()).isFalse();
    assertThat(p.admitted).isEmpty();
  }

  @Test
  void aMismatchedFingerprintOrForeignFederationIsRejected() {
    EmbeddedPeer p = new EmbeddedPeer();
    p.channel.writeInbound(framed(hello(helloFromB().setFingerprint(
        dev.ipa.transport.internal.wire.ModelFingerprint.newBuilder().setArchitecture("cnn").setParameterCount(5)))));
    assertThat(p.outbound()).singleElement().satisfies(f -> assertThat(f.getReject().getReason()).contains("model fingerprint cnn/5"));
    assertThat(p.channel.isOpen()).isFalse();

    EmbeddedPeer q = new EmbeddedPeer();
    q.channel.writeInbound(framed(hello(helloFromB().setFederationId("other"))));
    assertThat(q.outbound()).singleElement().satisfies(f -> assertThat(f.getReject().getReason()).contains("federation 'other'"));

    EmbeddedPeer r = new EmbeddedPeer();
    r.channel.writeInbound(framed(hello(helloFromB().setPeerId("mallory"))));
    assertThat(r.outbound()).singleElement().satisfies(f -> assertThat(f.getReject().getReason()).contains("'mallory' is not listed"));
    assertThat(p.admitted).isEmpty();
    assertThat(q.admitted).isEmpty();
    assertThat(r.admitted).isEmpty();
  }

  @Test
  void aDuplicateRefusedByTheHostIsRejected() {
    EmbeddedPeer p = new EmbeddedPeer();
    p.refuseWith = LinkTable.DUPLICATE + ": keep the other one";
    p.channel.writeInbound(framed(hello(helloFromB())));
    assertThat(p.outbound()).singleElement().satisfies(f -> assertThat(f.getReject().getReason()).startsWith(LinkTable.DUPLICATE));
    assertThat(p.channel.isOpen()).isFalse();
  }

  @Test
  void snapshotFramesBeforeTheHandshakeAreAProtocolViolation() {
    EmbeddedPeer p = new EmbeddedPeer();
    p.channel.writeInbound(framed(snapshotFrames(1, new byte[10], 4).get(0)));
    p.assertClosedWithError(ErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void aSnapshotArrivingInChunksIsReassembledDeliveredAndAcknowledged() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    byte[] payload = new byte[5000];
    new Random(1).nextBytes(payload);
    ByteBuf all = Unpooled.buffer();
    for (Frame f : snapshotFrames(9, payload, 1000)) {
      ByteBuf b = framed(f);
      all.writeBytes(b);
      b.release();
    }
    // Split the stream at arbitrary points, across frame boundaries.
    while (all.isReadable()) p.channel.writeInbound(all.readRetainedSlice(Math.min(777, all.readableBytes())));
    all.release();
    assertThat(p.snapshots).singleElement().satisfies(s -> {
      assertThat(s.peerId()).isEqualTo("b");
      assertThat(s.sequence()).isEqualTo(9);
      assertThat(s.round()).isEqualTo(2);
      assertThat(s.dataSize()).isEqualTo(600);
      assertThat(s.payload()).isEqualTo(payload);
    });
    assertThat(p.outbound()).singleElement().satisfies(f -> assertThat(f.getAck().getSequence()).isEqualTo(9));
    assertThat(p.channel.finishAndReleaseAll()).isFalse();
  }

  private static ByteBuf varint(ByteBuf out, int v) {
    for (; (v & ~0x7f) != 0; v >>>= 7) out.writeByte((v & 0x7f) | 0x80);
    return out.writeByte(v);
  }

  @Test
  void chunksInAnotherValidEncodingTakeTheProtobufPathAndAreReassembledInOrder() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    byte[] payload = new byte[3000];
    new Random(3).nextBytes(payload);
    List<Frame> frames = snapshotFrames(4, payload, 1000);
    for (Frame f : frames) {
      if (!f.hasSnapshotChunk() || f.getSnapshotChunk().getIndex() != 1) {
        p.channel.writeInbound(framed(f));
        continue;
      }
      // data (field 2) before index (field 1): valid protobuf, not the canonical layout of the fast path
      byte[] data = f.getSnapshotChunk().getData().toByteArray();
      ByteBuf inner = varint(Unpooled.buffer().writeByte(0x12), data.length).writeBytes(data).writeByte(0x08).writeByte(1);
      ByteBuf frame = varint(Unpooled.buffer().writeInt(0).writeByte(0x2a), inner.readableBytes()).writeBytes(inner);
      frame.setInt(0, frame.readableBytes() - 4);
      inner.release();
      assertThat(WireFraming.FrameDecoder.decodeChunk(frame.slice(4, frame.readableBytes() - 4))).isNull();
      p.channel.writeInbound(frame);
    }
    assertThat(p.snapshots).singleElement().satisfies(snap -> assertThat(snap.payload()).isEqualTo(payload));
    assertThat(p.outbound()).singleElement().satisfies(f -> assertThat(f.getAck().getSequence()).isEqualTo(4));
    assertThat(p.channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void chunksOutOfOrderCloseTheConnection() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    List<Frame> frames = snapshotFrames(1, new byte[3000], 1000);
    for (int i : new int[] {0, 2, 1, 3, 4}) {
      if (p.channel.isOpen()) p.channel.writeInbound(framed(frames.get(i)));
    }
    p.assertClosedWithError(ErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void aBadChecksumClosesTheConnectionAndDeliversNothing() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    List<Frame> frames = new ArrayList<>(snapshotFrames(1, new byte[3000], 1000));
    Frame end = frames.remove(frames.size() - 1);
    frames.add(end.toBuilder().setSnapshotEnd(end.getSnapshotEnd().toBuilder().setCrc32C(end.getSnapshotEnd().getCrc32C() ^ 1)).build());
    for (Frame f : frames) p.channel.writeInbound(framed(f));
    p.assertClosedWithError(ErrorCode.CHECKSUM_MISMATCH);
  }

  @Test
  void aHeaderAnnouncingMoreThanTheSnapshotLimitIsRefusedBeforeAllocating() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    p.channel.writeInbound(framed(Frame.newBuilder().setSnapshotHeader(SnapshotHeader.newBuilder()
        .setSequence(1).setPayloadBytes(Long.MAX_VALUE)).build()));
    p.assertClosedWithError(ErrorCode.SNAPSHOT_TOO_LARGE);
  }

  @Test
  void chunksBeyondTheAnnouncedSizeAreAProtocolViolation() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    List<Frame> frames = snapshotFrames(1, new byte[2000], 1000);
    p.channel.writeInbound(framed(frames.get(0).toBuilder().setSnapshotHeader(
        frames.get(0).getSnapshotHeader().toBuilder().setPayloadBytes(1500)).build()));
    p.channel.writeInbound(framed(frames.get(1)));
    p.channel.writeInbound(framed(frames.get(2)));
    p.assertClosedWithError(ErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void heartbeatsAreEchoedAndNoticesDelivered() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    p.channel.writeInbound(framed(Frame.newBuilder().setHeartbeat(Heartbeat.newBuilder().setTimestampNanos(123456)).build()));
    assertThat(p.outbound()).singleElement().satisfies(f -> {
      assertThat(f.getHeartbeat().getTimestampNanos()).isEqualTo(123456);
      assertThat(f.getHeartbeat().getReply()).isTrue();
    });
    p.channel.writeInbound(framed(Frame.newBuilder().setStop(StopNotice.newBuilder().setRound(4).setReason("done")).build()));
    assertThat(p.notices).containsExactly(new PeerNotice("b", PeerNotice.Kind.STOP, 4, "done"));
  }

  @Test
  void anOutgoingSnapshotIsStreamedAsChunksOfTheConfiguredSizeWithItsChecksum() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    byte[] payload = new byte[3500];
    new Random(3).nextBytes(payload);
    p.connection.enqueue(new PeerSnapshot("a", 1, 0, 77, 10, payload));
    p.connection.enqueue(new PeerNotice("a", PeerNotice.Kind.RESYNC_REQUEST, 1, "base"));
    List<Frame> out = p.outbound();
    assertThat(out).extracting(Frame::getBodyCase).containsExactly(Frame.BodyCase.SNAPSHOT_HEADER,
        Frame.BodyCase.SNAPSHOT_CHUNK, Frame.BodyCase.SNAPSHOT_CHUNK, Frame.BodyCase.SNAPSHOT_CHUNK,
        Frame.BodyCase.SNAPSHOT_CHUNK, Frame.BodyCase.SNAPSHOT_END, Frame.BodyCase.RESYNC);
    assertThat(out.get(4).getSnapshotChunk().getData().size()).isEqualTo(3500 - 3 * 1024);
    CRC32C crc = new CRC32C();
    crc.update(payload);
    assertThat(out.get(5).getSnapshotEnd().getCrc32C()).isEqualTo((int) crc.getValue());
    assertThat(out.get(5).getSnapshotEnd().getChunks()).isEqualTo(4);
    // Fed back into a receiver, the same frames reproduce the payload.
    EmbeddedPeer receiver = new EmbeddedPeer().established();
    for (Frame f : out.subList(0, 6)) receiver.channel.writeInbound(framed(f));
    assertThat(receiver.snapshots).singleElement().satisfies(s -> assertThat(s.payload()).isEqualTo(payload));
  }
}
