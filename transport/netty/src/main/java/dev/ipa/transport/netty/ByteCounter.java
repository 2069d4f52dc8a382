package dev.ipa.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/** Counts the frame bytes (length prefixes included, TLS records excluded) a connection reads and writes. */
final class ByteCounter extends ChannelDuplexHandler {
  private final PeerConnection connection;

  ByteCounter(PeerConnection connection) {
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b) connection.counters().bytesIn.addAndGet(b.readableBytes());
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf b) connection.counters().bytesOut.addAndGet(b.readableBytes());
    ctx.write(msg, promise);
  }
}
