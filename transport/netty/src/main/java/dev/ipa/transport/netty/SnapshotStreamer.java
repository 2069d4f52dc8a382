package dev.ipa.transport.netty;

import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.internal.wire.Frame;
import dev.ipa.transport.internal.wire.PayloadKind;
import dev.ipa.transport.internal.wire.ResyncRequest;
import dev.ipa.transport.internal.wire.SnapshotEnd;
import dev.ipa.transport.internal.wire.SnapshotHeader;
import dev.ipa.transport.internal.wire.StopNotice;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ScheduledFuture;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound half of a link: the queue of snapshots and notices for the peer, in call order, and the stream of
 * frames each snapshot becomes:
 *
 * <pre>
 * snapshot_header(round, sync, sequence, data_size, payload_bytes, kind)
 * snapshot_chunk(0, ≤ chunkBytes) snapshot_chunk(1) ... snapshot_chunk(n-1)    one wrapped payload slice each
 * snapshot_end(crc32c of the payload, n)
 * </pre>
 *
 * Frames are written only while the channel is writable and resume on {@code channelWritabilityChanged}, so the
 * bytes buffered for a link stay below the write-buffer high-water mark plus one chunk, whatever the model size. At
 * most {@code maxQueuedSnapshots} snapshots wait behind the one in flight; one more drops the oldest waiting one
 * with a WARN. A peer that lets nothing be written for {@code progressTimeout} mid-transfer is disconnected. The
 * peer's acks of received snapshots end here (they are only logged).
 *
 * <p>Memory: the queue holds references to payloads shared between receivers, never copies.
 *
 * <p>Threading: {@link #enqueue} from any thread (it hops onto the event loop); everything else on the event loop.
 * One per connection; nothing is queued before the link is established or after it closed.
 */
final class SnapshotStreamer extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStreamer.class);

  private sealed interface Outbound permits OutSnapshot, OutNotice {}

  private record OutSnapshot(PeerSnapshot snapshot) implements Outbound {}

  private record OutNotice(PeerNotice notice) implements Outbound {}

  private final PeerConnection connection;
  private final NettyTransportConfig config;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> watchdog;

  private final ArrayDeque<Outbound> queue = new ArrayDeque<>();
  private int queuedSnapshots;
  private PeerSnapshot sending;
  private int sendOffset;
  private int sendIndex;
  private final CRC32C sendCrc = new CRC32C();
  private long lastProgress;

  SnapshotStreamer(PeerConnection connection) {
    this.connection = connection;
    this.config = connection.config();
  }

  void enqueue(PeerSnapshot snapshot) {
    hop(new OutSnapshot(snapshot));
  }

  void enqueue(PeerNotice notice) {
    hop(new OutNotice(notice));
  }

  private void hop(Outbound message) {
    // Always via execute, never inline, so the Accept frame written by the current handler call goes first.
    connection.channel().eventLoop().execute(() -> {
      if (!connection.established()) return;
      queue.add(message);
      if (message instanceof OutSnapshot) {
        queuedSnapshots++;
        if (queuedSnapshots > config.maxQueuedSnapshots()) dropOldestSnapshot();
      }
      pump();
    });
  }

  private void dropOldestSnapshot() {
    for (Iterator<Outbound> it = queue.iterator(); it.hasNext(); ) {
      if (it.next() instanceof OutSnapshot dropped) {
        it.remove();
        queuedSnapshots--;
        LOG.warn("Peer {} is not keeping up: dropped {} to it, the oldest of more than {} queued snapshots; "
            + "it will see a sequence gap and may ask for a resync.", connection.remotePeer(), dropped.snapshot(),
            config.maxQueuedSnapshots());
        return;
      }
    }
  }

  /** Writes queued frames while the channel is writable; resumes from {@link #channelWritabilityChanged}. */
  private void pump() {
    boolean unflushed = false;
    while (connection.established() && ctx.channel().isWritable()) {
      if (sending == null) {
        Outbound next = queue.poll();
        if (next == null) break;
        if (next instanceof OutNotice n) {
          ctx.write(noticeFrame(n.notice()));
          unflushed = true;
          continue;
        }
        queuedSnapshots--;
        startSnapshot(((OutSnapshot) next).snapshot());
        unflushed = true;
      }
      byte[] payload = sending.payload();
      if (sendOffset < payload.length) {
        int n = Math.min(config.chunkBytes(), payload.length - sendOffset);
        // Wrapping, not copying: the chunk bytes are copied once, by the socket write (or the TLS encryption).
        ByteBuf chunk = WireFraming.chunkFrame(ctx.alloc(), sendIndex, payload, sendOffset, n);
        sendCrc.update(payload, sendOffset, n);
        sendOffset += n;
        sendIndex++;
        ctx.writeAndFlush(chunk).addListener(f -> {
          if (f.isSuccess()) lastProgress = System.nanoTime();
        });
        unflushed = false;
      } else {
        ctx.write(Frame.newBuilder().setSnapshotEnd(SnapshotEnd.newBuilder()
            .setCrc32C((int) sendCrc.getValue()).setChunks(sendIndex)).build());
        unflushed = true;
        sending = null;
      }
    }
    if (unflushed) ctx.flush();
  }

  private void startSnapshot(PeerSnapshot snapshot) {
    sending = snapshot;
    sendOffset = 0;
    sendIndex = 0;
    sendCrc.reset();
    lastProgress = System.nanoTime();
    ctx.write(Frame.newBuilder().setSnapshotHeader(SnapshotHeader.newBuilder()
        .setRound(snapshot.round()).setSync(snapshot.sync()).setSequence(snapshot.sequence())
        .setDataSize(snapshot.dataSize()).setPayloadBytes(snapshot.payload().length)
        .setKind(PayloadKind.valueOf(snapshot.kind().name()))).build());
  }

  private static Frame noticeFrame(PeerNotice n) {
    return switch (n.kind()) {
      case STOP -> Frame.newBuilder().setStop(StopNotice.newBuilder().setRound(n.round()).setReason(n.reason())).build();
      case RESYNC_REQUEST -> Frame.newBuilder().setResync(ResyncRequest.newBuilder().setRound(n.round()).setReason(n.reason())).build();
      case PAUSE, RESUME -> Frame.newBuilder().setControl(dev.ipa.transport.internal.wire.ControlNotice.newBuilder()
          .setKind(dev.ipa.transport.internal.wire.ControlKind.valueOf(n.kind().name())).setRound(n.round()).setReason(n.reason())).build();
    };
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    watchdog = connection.checkProgressPeriodically(this::watch);
    ctx.fireChannelActive();
  }

  /** Periodic, on the event loop: a peer that stopped reading mid-transfer is disconnected. */
  private void watch() {
    if (sending != null && !ctx.channel().isWritable()
        && System.nanoTime() - lastProgress > config.progressTimeout().toNanos()) {
      LOG.warn("Peer {} stopped reading: nothing could be written to it for {} ({} of {} bytes sent); closing the link.",
          connection.describeRemote(), config.progressTimeout(), sendOffset, sending.payload().length);
      connection.closeNow();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) pump();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Frame frame && frame.hasAck()) {
      LOG.trace("Peer {} acknowledged snapshot #{}.", connection.remotePeer(), frame.getAck().getSequence());
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (watchdog != null) watchdog.cancel(false);
    queue.clear();
    queuedSnapshots = 0;
    sending = null;
    ctx.fireChannelInactive();
  }
}
