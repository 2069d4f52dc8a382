package dev.ipa.transport.netty;

import dev.ipa.transport.internal.wire.Error;
import dev.ipa.transport.internal.wire.ErrorCode;
import dev.ipa.transport.internal.wire.Frame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a connection: whatever no step before it took ends the connection. An Error frame from the
 * peer is logged and the connection closed; a frame no handler expects here (a second Hello, say) is a protocol
 * violation; an exception is mapped to its error code (frame too large, malformed frame) or, for TLS and socket
 * failures, closes without an error frame. One WARN line each (socket failures: DEBUG), and the process carries on.
 *
 * <p>One per connection, event loop only; lives as long as the channel.
 */
final class ProtocolErrorHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ProtocolErrorHandler.class);
  private final PeerConnection connection;

  ProtocolErrorHandler(PeerConnection connection) {
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Frame frame && frame.hasError()) {
      Error error = frame.getError();
      connection.warn("Peer {} reported {} and closes the connection: {}", connection.describeRemote(), error.getCode(),
          error.getMessage());
      connection.closeNow();
    } else {
      String what = msg instanceof Frame frame ? frame.getBodyCase().toString() : msg.getClass().getSimpleName();
      ReferenceCountUtil.release(msg);
      connection.fail(ErrorCode.PROTOCOL_VIOLATION, "unexpected " + what + " in state " + connection.state());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Netty wraps what a decoder throws in a plain DecoderException; its own codec exceptions are subclasses of it.
    Throwable c = cause.getClass() == DecoderException.class && cause.getCause() != null ? cause.getCause() : cause;
    if (c instanceof TooLongFrameException) {
      connection.fail(ErrorCode.FRAME_TOO_LARGE, "frame exceeds the " + connection.config().maxFrameBytes()
          + "-byte limit: " + c.getMessage());
    } else if (c instanceof CorruptedFrameException) {
      connection.fail(ErrorCode.MALFORMED_FRAME, c.getMessage());
    } else if (c instanceof SSLException) {
      if (!connection.closed()) {
        connection.warn("TLS failed with {}, connection closed: {}", connection.describeRemote(), PeerConnection.rootMessage(c));
      }
      connection.closeNow();
    } else if (c instanceof IOException) {
      LOG.debug("Connection with {} failed: {}", connection.describeRemote(), c.toString());
      ctx.close();
    } else {
      connection.warn("Unexpected failure on the connection with {}; closing it.", connection.describeRemote(), c);
      if (connection.closed()) ctx.close();
      else connection.fail(ErrorCode.PROTOCOL_VIOLATION, "internal error: " + c);
    }
  }
}
