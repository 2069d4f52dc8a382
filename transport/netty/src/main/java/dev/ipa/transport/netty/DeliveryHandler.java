package dev.ipa.transport.netty;

import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.internal.wire.Frame;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands what the connection received to its {@link ConnectionHost}, which runs the inbox on the link's own serial
 * inbox thread, never on this event loop: complete snapshots (from the {@link SnapshotAssembler}), stop and resync
 * notices, and in the end the connection's close. Notices and snapshots carry the authenticated peer id, never one
 * from the frame.
 *
 * <p>Backpressure: while {@link #MAX_UNDELIVERED} snapshots wait for the inbox, reading pauses, so TCP pushes back on
 * the sender instead of snapshots piling up here; the idle and progress timeouts do not count that pause.
 *
 * <p>One per connection; event loop only, except the delivered-callback, which runs on the inbox thread and hops
 * back to resume reading.
 */
final class DeliveryHandler extends ChannelInboundHandlerAdapter {
  static final int MAX_UNDELIVERED = 2;
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryHandler.class);

  private final PeerConnection connection;
  private final AtomicInteger undelivered = new AtomicInteger();

  DeliveryHandler(PeerConnection connection) {
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof PeerSnapshot snapshot) {
      deliver(ctx.channel(), snapshot);
    } else if (msg instanceof Frame frame && frame.hasStop()) {
      connection.host().deliver(connection, new PeerNotice(connection.remotePeer(), PeerNotice.Kind.STOP,
          frame.getStop().getRound(), frame.getStop().getReason()));
    } else if (msg instanceof Frame frame && frame.hasResync()) {
      connection.host().deliver(connection, new PeerNotice(connection.remotePeer(), PeerNotice.Kind.RESYNC_REQUEST,
          frame.getResync().getRound(), frame.getResync().getReason()));
    } else if (msg instanceof Frame frame && frame.hasControl() && isPauseOrResume(frame.getControl().getKind())) {
      connection.host().deliver(connection, new PeerNotice(connection.remotePeer(), PeerNotice.Kind.valueOf(frame.getControl().getKind().name()),
          frame.getControl().getRound(), frame.getControl().getReason()));
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  /** An unknown control kind goes on down the pipeline, where it is a protocol violation. */
  private static boolean isPauseOrResume(dev.ipa.transport.internal.wire.ControlKind k) {
    return k == dev.ipa.transport.internal.wire.ControlKind.PAUSE || k == dev.ipa.transport.internal.wire.ControlKind.RESUME;
  }

  private void deliver(Channel ch, PeerSnapshot snapshot) {
    if (undelivered.incrementAndGet() >= MAX_UNDELIVERED) {
      connection.pausedForInbox(true);
      ch.config().setAutoRead(false);
    }
    connection.host().deliver(connection, snapshot, () -> {
      if (undelivered.decrementAndGet() < MAX_UNDELIVERED && connection.pausedForInbox()) {
        ch.eventLoop().execute(() -> {
          connection.pausedForInbox(false);
          ch.config().setAutoRead(true);
        });
      }
    });
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    PeerConnection.State was = connection.state();
    connection.state(PeerConnection.State.CLOSED);
    if (was == PeerConnection.State.ESTABLISHED) {
      LOG.info("Link to peer {} ({}) closed.", connection.remotePeer(), ctx.channel().remoteAddress());
    }
    connection.host().closed(connection);
    ctx.fireChannelInactive();
  }
}
