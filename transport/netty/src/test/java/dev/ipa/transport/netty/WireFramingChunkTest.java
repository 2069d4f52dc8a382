package dev.ipa.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipa.transport.internal.wire.Frame;
import dev.ipa.transport.internal.wire.SnapshotChunk;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The chunk fast paths (no protobuf on send or receive) agree byte for byte with the protobuf encoding. */
class WireFramingChunkTest {

  private static byte[] protobuf(Frame f) throws IOException {
    ByteBuf b = Unpooled.buffer();
    WireFraming.FrameEncoder.encode(f, b);
    return ByteBufUtil.getBytes(b);
  }

  private static Frame chunk(int index, byte[] data) {
    return Frame.newBuilder().setSnapshotChunk(SnapshotChunk.newBuilder().setIndex(index)
        .setData(ByteString.copyFrom(data))).build();
  }

  @Test
  void encodesExactlyWhatProtobufEncodes() throws IOException {
    Random r = new Random(7);
    int[] indexes = {0, 1, 127, 128, 16383, 16384, 2_000_000, Integer.MAX_VALUE};
    int[] sizes = {1, 127, 128, 16384, 1 << 20};
    for (int index : indexes) {
      for (int size : sizes) {
        byte[] payload = new byte[size + 10];
        r.nextBytes(payload);
        byte[] data = java.util.Arrays.copyOfRange(payload, 5, 5 + size);
        ByteBuf fast = WireFraming.chunkFrame(UnpooledByteBufAllocator.DEFAULT, index, payload, 5, size);
        assertThat(ByteBufUtil.getBytes(fast)).isEqualTo(protobuf(chunk(index, data)));
        fast.release();
      }
    }
  }

  @Test
  void decodesCanonicalChunksAndLeavesEverythingElseToProtobuf() throws IOException {
    for (int index : new int[] {0, 1, 300, Integer.MAX_VALUE, -1}) {
      byte[] data = {1, 2, 3, 4, 5};
      byte[] framed = protobuf(chunk(index, data));
      ByteBuf body = Unpooled.wrappedBuffer(framed, 4, framed.length - 4);
      WireFraming.ChunkFrame c = WireFraming.FrameDecoder.decodeChunk(body);
      if (index < 0) {
        // a negative int32 is a 10-byte varint: not the fast path, protobuf decides
        assertThat(c).isNull();
        assertThat(WireFraming.FrameDecoder.decode(body).getSnapshotChunk().getIndex()).isEqualTo(index);
        continue;
      }
      assertThat(c).isNotNull();
      assertThat(c.index).isEqualTo(index);
      assertThat(ByteBufUtil.getBytes(c.content())).isEqualTo(data);
      c.release();
      assertThat(body.refCnt()).isEqualTo(1);
    }
    // Other frames, an empty chunk (no data field) and a chunk with trailing bytes are not the fast path.
    byte[] empty = protobuf(chunk(3, new byte[0]));
    assertThat(WireFraming.FrameDecoder.decodeChunk(Unpooled.wrappedBuffer(empty, 4, empty.length - 4))).isNull();
    byte[] trailing = protobuf(chunk(3, new byte[] {9}));
    ByteBuf t = Unpooled.buffer().writeBytes(trailing, 4, trailing.length - 4).writeByte(0x08).writeByte(1);
    assertThat(WireFraming.FrameDecoder.decodeChunk(t)).isNull();
    byte[] ack = protobuf(Frame.newBuilder().setAck(dev.ipa.transport.internal.wire.Ack.newBuilder().setSequence(1)).build());
    assertThat(WireFraming.FrameDecoder.decodeChunk(Unpooled.wrappedBuffer(ack, 4, ack.length - 4))).isNull();
  }
}
