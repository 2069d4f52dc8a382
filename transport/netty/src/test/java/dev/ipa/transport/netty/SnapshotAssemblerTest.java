package dev.ipa.transport.netty;

import static dev.ipa.transport.netty.EmbeddedPeer.framed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.internal.wire.ErrorCode;
import dev.ipa.transport.internal.wire.Frame;
import dev.ipa.transport.internal.wire.PayloadKind;
import dev.ipa.transport.internal.wire.SnapshotEnd;
import dev.ipa.transport.internal.wire.SnapshotHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The assembler behind the real framing, in an EmbeddedChannel, fed chunk frames exactly as the streamer writes them
 * (the fast path). Every buffer written in is tracked and must be released, whatever the outcome.
 */
class SnapshotAssemblerTest {
  private static final int CHUNK = 1000;
  private final List<ByteBuf> fed = new ArrayList<>();

  @AfterEach
  void everyBufferWasReleased() {
    assertThat(fed).allSatisfy(b -> assertThat(b.refCnt()).as("reference count of a buffer fed in").isZero());
  }

  private void feed(EmbeddedPeer p, ByteBuf b) {
    fed.add(b);
    if (p.channel.isOpen()) p.channel.writeInbound(b);
    else b.release();
  }

  private static SnapshotHeader.Builder header(long sequence, int payloadBytes) {
    return SnapshotHeader.newBuilder().setRound(3).setSync(1).setSequence(sequence).setDataSize(500)
        .setPayloadBytes(payloadBytes);
  }

  private static int crc(byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload);
    return (int) crc.getValue();
  }

  /** Header, canonical chunks and end of {@code payload}, the header and end as given. */
  private void transfer(EmbeddedPeer p, SnapshotHeader.Builder header, byte[] payload, int crc) {
    feed(p, framed(Frame.newBuilder().setSnapshotHeader(header).build()));
    int i = 0;
    for (int off = 0; off < payload.length; off += CHUNK, i++) {
      feed(p, WireFraming.chunkFrame(UnpooledByteBufAllocator.DEFAULT, i, payload, off, Math.min(CHUNK, payload.length - off)));
    }
    feed(p, framed(Frame.newBuilder().setSnapshotEnd(SnapshotEnd.newBuilder().setCrc32C(crc).setChunks(i)).build()));
  }

  private static byte[] payload(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void aTransferBecomesOneAcknowledgedSnapshotWithTheAuthenticatedSender() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    byte[] payload = payload(3500, 1);
    transfer(p, header(7, payload.length), payload, crc(payload));
    assertThat(p.snapshots).singleElement().satisfies(s -> {
      assertThat(s.peerId()).isEqualTo("b");
      assertThat(s.round()).isEqualTo(3);
      assertThat(s.sync()).isEqualTo(1);
      assertThat(s.sequence()).isEqualTo(7);
      assertThat(s.dataSize()).isEqualTo(500);
      assertThat(s.kind()).isEqualTo(PeerSnapshot.Kind.MODEL);
      assertThat(s.payload()).isEqualTo(payload);
    });
    assertThat(p.outbound()).singleElement().satisfies(f -> assertThat(f.getAck().getSequence()).isEqualTo(7));
    assertThat(p.connection.counters().lastRound).isEqualTo(3);
    assertThat(p.channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void aRingStateKeepsItsKind() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    byte[] payload = payload(1200, 2);
    transfer(p, header(1, payload.length).setKind(PayloadKind.RING_STATE), payload, crc(payload));
    assertThat(p.snapshots).singleElement().satisfies(s -> assertThat(s.kind()).isEqualTo(PeerSnapshot.Kind.RING_STATE));
  }

  @Test
  void anUnknownPayloadKindIsRefusedWithOneWarningBeforeAnythingIsReceived() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    byte[] payload = payload(1200, 3);
    try (LogCapture log = new LogCapture()) {
      transfer(p, header(4, payload.length).setKindValue(9), payload, crc(payload));
      assertThat(log.warnings()).singleElement().asString()
          .contains("snapshot #4 announced payload kind 9").contains("PROTOCOL_VIOLATION");
    }
    p.assertClosedWithError(ErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void aChunkWithoutAHeaderIsAProtocolViolation() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    try (LogCapture log = new LogCapture()) {
      feed(p, WireFraming.chunkFrame(UnpooledByteBufAllocator.DEFAULT, 0, payload(100, 4), 0, 100));
      assertThat(log.anyWarning("chunk 0 arrived outside a snapshot")).isTrue();
    }
    p.assertClosedWithError(ErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void anEndWithoutAHeaderIsAProtocolViolation() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    feed(p, framed(Frame.newBuilder().setSnapshotEnd(SnapshotEnd.newBuilder().setChunks(0)).build()));
    p.assertClosedWithError(ErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void aPayloadLargerThanAnnouncedIsRefusedAtTheChunkThatOverflows() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    byte[] payload = payload(2500, 5);
    try (LogCapture log = new LogCapture()) {
      transfer(p, header(1, 2000), payload, crc(payload));
      assertThat(log.anyWarning("chunks exceed the announced 2000 bytes")).isTrue();
    }
    p.assertClosedWithError(ErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void aPayloadShorterThanAnnouncedIsNotDelivered() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    byte[] payload = payload(1500, 6);
    transfer(p, header(1, 2000), payload, crc(payload));
    p.assertClosedWithError(ErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void aBadCrcIsRefusedAndNeitherDeliveredNorAcknowledged() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    byte[] payload = payload(3000, 7);
    transfer(p, header(2, payload.length), payload, crc(payload) ^ 1);
    List<Frame> out = p.outbound();
    assertThat(out).noneMatch(Frame::hasAck);
    assertThat(out).singleElement().satisfies(f -> assertThat(f.getError().getCode()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH));
    assertThat(p.channel.isOpen()).isFalse();
    assertThat(p.snapshots).isEmpty();
    assertThat(p.channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void aSecondHeaderBeforeTheFirstSnapshotEndedIsAProtocolViolation() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    feed(p, framed(Frame.newBuilder().setSnapshotHeader(header(1, 2000)).build()));
    feed(p, framed(Frame.newBuilder().setSnapshotHeader(header(2, 2000)).build()));
    p.assertClosedWithError(ErrorCode.PROTOCOL_VIOLATION);
  }

  @Test
  void aSnapshotIsReceivedIntoTheSpareOfItsSizeAndEveryByteIsOverwritten() {
    EmbeddedPeer p = new EmbeddedPeer().established();
    p.spare = new ReceiveSpare(1 << 20);
    byte[] released = new byte[3000];
    Arrays.fill(released, (byte) 0x5a);
    p.spare.giveBack(released);
    byte[] payload = payload(3000, 8);
    transfer(p, header(1, payload.length), payload, crc(payload));
    assertThat(p.snapshots).singleElement().satisfies(s -> {
      assertThat(s.payload()).isSameAs(released);
      assertThat(s.payload()).isEqualTo(payload);
    });
    assertThat(p.spare.heldBytes()).as("taking the spare emptied the slot").isZero();

    byte[] other = payload(2000, 9);
    transfer(p, header(2, other.length), other, crc(other));
    assertThat(p.snapshots.get(1).payload()).isNotSameAs(released).isEqualTo(other);
  }
}
