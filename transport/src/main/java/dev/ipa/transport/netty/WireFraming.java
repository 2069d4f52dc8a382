package dev.ipa.transport.netty;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.ipa.transport.internal.wire.Frame;
import io.netty.buffer.ByteBuf;
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
 * connection handler closes the connection on either. Stateless apart from Netty's decoder state.
 */
final class WireFraming {
  static final String FRAME_DECODER = "frameDecoder";
  static final String PROTO_DECODER = "protoDecoder";
  static final String PROTO_ENCODER = "protoEncoder";

  private WireFraming() {}

  /** Adds the three framing handlers at the end of {@code pipeline}, before the connection handler. */
  static void addTo(ChannelPipeline pipeline, int maxFrameBytes) {
    pipeline.addLast(FRAME_DECODER, new LengthFieldBasedFrameDecoder(maxFrameBytes + 4, 0, 4, 0, 4, true));
    pipeline.addLast(PROTO_DECODER, new FrameDecoder());
    pipeline.addLast(PROTO_ENCODER, new FrameEncoder());
  }

  /** One frame body → one {@link Frame}; an empty or malformed body is a {@link CorruptedFrameException}. */
  @ChannelHandler.Sharable
  static final class FrameDecoder extends MessageToMessageDecoder<ByteBuf> {
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf body, List<Object> out) {
      out.add(decode(body));
    }

    static Frame decode(ByteBuf body) {
      int n = body.readableBytes();
      if (n == 0) throw new CorruptedFrameException("empty frame");
      try {
        CodedInputStream in = body.nioBufferCount() == 1
            ? CodedInputStream.newInstance(body.nioBuffer())
            : CodedInputStream.newInstance(body.duplicate().readBytes(n).nioBuffer());
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
