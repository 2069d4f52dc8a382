package dev.ipa.transport.netty;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.ipa.transport.internal.wire.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The frame layer of a peer connection: one protobuf {@link Frame} behind a 4-byte big-endian length.
 *
 * <pre>
 * +----------------+-------------------------------------------+
 * | length: uint32 | Frame (protobuf, exactly `length` bytes)  |
 * |  big-endian    | oneof hello | accept | ... | error        |
 * +----------------+-------------------------------------------+
 *   4 bytes          1 .. maxFrameBytes bytes
 * </pre>
 *
 * A length above {@code maxFrameBytes} fails fast with a {@link io.netty.handler.codec.TooLongFrameException}
 * (nothing of it is buffered), a body that is not a valid Frame with a {@link CorruptedFrameException}; the
 * {@link ProtocolErrorHandler} closes the connection on either. Stateless apart from Netty's decoder state.
 */
final class WireFraming {
  static final String FRAME_DECODER = "frameDecoder";
  static final String PROTO_DECODER = "protoDecoder";
  static final String PROTO_ENCODER = "protoEncoder";

  private WireFraming() {}

  /** Adds the three framing handlers at the end of {@code pipeline}, before the protocol handlers. */
  static void addTo(ChannelPipeline pipeline, int maxFrameBytes) {
    LengthFieldBasedFrameDecoder frames = new LengthFieldBasedFrameDecoder(maxFrameBytes + 4, 0, 4, 0, 4, true);
    // Composite: a frame spanning many socket reads is assembled from the read buffers without copying them.
    frames.setCumulator(LengthFieldBasedFrameDecoder.COMPOSITE_CUMULATOR);
    pipeline.addLast(FRAME_DECODER, frames);
    pipeline.addLast(PROTO_DECODER, new FrameDecoder());
    pipeline.addLast(PROTO_ENCODER, new FrameEncoder());
  }

  /** Frame tag of {@code snapshot_chunk} (field 5, length-delimited) and the tags inside a SnapshotChunk. */
  private static final int CHUNK_FRAME_TAG = 5 << 3 | 2;
  private static final int CHUNK_INDEX_TAG = 1 << 3;
  private static final int CHUNK_DATA_TAG = 2 << 3 | 2;

  /**
   * A {@code snapshot_chunk} frame decoded without protobuf: its index and a retained slice of the frame buffer
   * holding the chunk bytes, so the receiver copies them once, straight into the payload array. The handler that
   * takes it must release it.
   */
  static final class ChunkFrame extends DefaultByteBufHolder {
    final int index;

    ChunkFrame(int index, ByteBuf data) {
      super(data);
      this.index = index;
    }
  }

  /**
   * One frame body → one {@link Frame}, or a {@link ChunkFrame} for a chunk frame in the canonical encoding
   * (exactly what protobuf writes for a SnapshotChunk: {@code 2a len [08 index] 12 len data}); an empty or
   * malformed body is a {@link CorruptedFrameException}. Any other chunk encoding takes the protobuf path, so
   * both paths accept exactly the same bytes.
   */
  @ChannelHandler.Sharable
  static final class FrameDecoder extends MessageToMessageDecoder<ByteBuf> {
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf body, List<Object> out) {
      ChunkFrame chunk = decodeChunk(body);
      out.add(chunk != null ? chunk : decode(body));
    }

    /** The fast path for canonical chunk frames; null for anything else (the protobuf path decides). */
    static ChunkFrame decodeChunk(ByteBuf body) {
      int end = body.writerIndex();
      int[] pos = {body.readerIndex()};
      if (end - pos[0] < 3 || body.getUnsignedByte(pos[0]) != CHUNK_FRAME_TAG) return null;
      pos[0]++;
      long inner = varint(body, pos, end);
      if (inner != end - pos[0]) return null;
      int index = 0;
      if (pos[0] < end && body.getUnsignedByte(pos[0]) == CHUNK_INDEX_TAG) {
        pos[0]++;
        long v = varint(body, pos, end);
        if (v < 0) return null;
        index = (int) v; // protobuf keeps the low 32 bits of an int32 varint
      }
      if (pos[0] >= end || body.getUnsignedByte(pos[0]) != CHUNK_DATA_TAG) return null;
      pos[0]++;
      long n = varint(body, pos, end);
      if (n != end - pos[0]) return null;
      return new ChunkFrame(index, body.retainedSlice(pos[0], (int) n));
    }

    /** A varint of at most 5 bytes at {@code pos[0]}, advancing it; -1 if longer or truncated. */
    private static long varint(ByteBuf b, int[] pos, int end) {
      long v = 0;
      for (int shift = 0, i = pos[0]; shift < 35 && i < end; shift += 7, i++) {
        int x = b.getUnsignedByte(i);
        v |= (long) (x & 0x7f) << shift;
        if (x < 0x80) {
          pos[0] = i + 1;
          return v;
        }
      }
      return -1;
    }

    static Frame decode(ByteBuf body) {
      int n = body.readableBytes();
      if (n == 0) throw new CorruptedFrameException("empty frame");
      try {
        CodedInputStream in = body.nioBufferCount() == 1
            ? CodedInputStream.newInstance(body.nioBuffer())
            : CodedInputStream.newInstance(io.netty.buffer.ByteBufUtil.getBytes(body));
        Frame frame = Frame.parseFrom(in);
        if (frame.getBodyCase() == Frame.BodyCase.BODY_NOT_SET) {
          throw new CorruptedFrameException("frame of an unknown type (" + n + " bytes)");
        }
        return frame;
      } catch (IOException e) {
        throw new CorruptedFrameException("not a protobuf Frame (" + n + " bytes): " + e.getMessage(), e);
      }
    }
  }

  /**
   * A {@code snapshot_chunk} frame, length prefix included, byte for byte what {@link FrameEncoder} writes for
   * {@code SnapshotChunk(index, data)}, without copying {@code data}: a small header buffer plus the wrapped
   * payload slice, as one composite buffer (one write, so no other frame can come between them).
   */
  static ByteBuf chunkFrame(ByteBufAllocator alloc, int index, byte[] payload, int offset, int length) {
    if (index < 0 || length <= 0) throw new IllegalArgumentException("chunk " + index + " of " + length + " bytes");
    int inner = (index == 0 ? 0 : 1 + CodedOutputStream.computeUInt32SizeNoTag(index))
        + 1 + CodedOutputStream.computeUInt32SizeNoTag(length) + length;
    int body = 1 + CodedOutputStream.computeUInt32SizeNoTag(inner) + inner;
    ByteBuf header = alloc.buffer(4 + body - length);
    header.writeInt(body);
    header.writeByte(CHUNK_FRAME_TAG);
    writeVarint(header, inner);
    if (index != 0) {
      header.writeByte(CHUNK_INDEX_TAG);
      writeVarint(header, index);
    }
    header.writeByte(CHUNK_DATA_TAG);
    writeVarint(header, length);
    CompositeByteBuf frame = alloc.compositeBuffer(2);
    frame.addComponents(true, header, Unpooled.wrappedBuffer(payload, offset, length));
    return frame;
  }

  private static void writeVarint(ByteBuf out, int v) {
    while ((v & ~0x7f) != 0) {
      out.writeByte((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.writeByte(v);
  }

  /**
   * {@link Frame} → length prefix and protobuf bytes, written once into one buffer of exactly the right size. The
   * prefix is written here rather than by a {@code LengthFieldPrepender}: one buffer per frame is one write, so
   * a frame's prefix and body can never be separated by another frame.
   */
  @ChannelHandler.Sharable
  static final class FrameEncoder extends MessageToByteEncoder<Frame> {
    FrameEncoder() {
      super(Frame.class, true);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Frame msg, boolean preferDirect) {
      return ctx.alloc().ioBuffer(4 + msg.getSerializedSize());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame msg, ByteBuf out) throws IOException {
      encode(msg, out);
    }

    /** Appends {@code msg} with its 4-byte length prefix to {@code out}. */
    static void encode(Frame msg, ByteBuf out) throws IOException {
      int size = msg.getSerializedSize();
      out.ensureWritable(4 + size);
      out.writeInt(size);
      ByteBuffer target = out.nioBuffer(out.writerIndex(), size);
      CodedOutputStream cos = CodedOutputStream.newInstance(target);
      msg.writeTo(cos);
      cos.flush();
      out.writerIndex(out.writerIndex() + size);
    }
  }
}
