package dev.ipa.transport.netty;

import dev.ipa.transport.internal.wire.Frame;
import dev.ipa.transport.internal.wire.Heartbeat;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liveness of a connection, the first protocol handler after the framing. It drops (and releases) every frame read
 * once the connection is closed, so an error already sent is the last word; stamps {@code lastSeen} for every frame
 * of an established link; answers pings and turns pongs into the link's round-trip time. On the
 * {@code IdleStateHandler}'s events it sends a ping after {@code heartbeatInterval} without writing, and closes a
 * connection with nothing read for {@code deadAfter}, unless reading is paused because the inbox is behind.
 *
 * <p>One per connection, event loop only; lives as long as the channel.
 */
final class HeartbeatHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatHandler.class);
  private final PeerConnection connection;

  HeartbeatHandler(PeerConnection connection) {
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (connection.closed()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (connection.established()) connection.counters().lastSeen = Instant.now();
    if (msg instanceof Frame frame && frame.hasHeartbeat()) {
      onHeartbeat(ctx, frame.getHeartbeat());
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  /** Heartbeats before the handshake completed are allowed and ignored. */
  private void onHeartbeat(ChannelHandlerContext ctx, Heartbeat heartbeat) {
    if (!connection.established()) return;
    if (heartbeat.getReply()) {
      connection.counters().roundTripMillis = (System.nanoTime() - heartbeat.getTimestampNanos()) / 1e6;
    } else {
      ctx.writeAndFlush(Frame.newBuilder().setHeartbeat(heartbeat.toBuilder().setReply(true)).build());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent idle) {
      if (idle.state() == IdleState.WRITER_IDLE && connection.established()) {
        ctx.writeAndFlush(Frame.newBuilder().setHeartbeat(Heartbeat.newBuilder()
            .setTimestampNanos(System.nanoTime())).build());
      } else if (idle.state() == IdleState.READER_IDLE && !connection.pausedForInbox()) {
        LOG.warn("Nothing heard from {} for {}; closing the link as dead.", connection.describeRemote(),
            connection.config().deadAfter());
        ctx.close();
      }
    }
    ctx.fireUserEventTriggered(evt);
  }
}
