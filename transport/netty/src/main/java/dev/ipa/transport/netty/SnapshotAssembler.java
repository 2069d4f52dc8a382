package dev.ipa.transport.netty;

import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.internal.wire.Ack;
import dev.ipa.transport.internal.wire.ErrorCode;
import dev.ipa.transport.internal.wire.Frame;
import dev.ipa.transport.internal.wire.PayloadKind;
import dev.ipa.transport.internal.wire.SnapshotChunk;
import dev.ipa.transport.internal.wire.SnapshotEnd;
import dev.ipa.transport.internal.wire.SnapshotHeader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ScheduledFuture;
import java.util.zip.CRC32C;

/**
 * The inbound half of a snapshot transfer: {@code snapshot_header → snapshot_chunk(0..n-1) → snapshot_end} become one
 * {@link PeerSnapshot}, fired on to the {@link DeliveryHandler} once it is complete and intact (and acknowledged).
 *
 * <pre>
 *            header                 chunk i == due, fits             end: every byte, n chunks, CRC32C
 *   idle ------------------> receiving ------------------> receiving -------------------------------> idle
 *     (≤ maxSnapshotBytes,     array = the link's spare       (copied straight from the frame   ack(sequence),
 *      a known kind)           of that size, else new          buffer into the array)           PeerSnapshot
 * </pre>
 *
 * Refused, each with an error frame, one WARN and the connection closed: a header above what the model's layout
 * allows ({@link NettyTransportConfig#payloadLimit}, never above {@code maxSnapshotBytes}) (before allocating), a negative round, sync or data size, an unknown payload kind, a header while another snapshot
 * is under way, a chunk or end outside a snapshot, a chunk out of order or beyond the announced size, an end short of
 * it or with the wrong chunk count, a bad CRC32C, and a transfer with no chunk for {@code progressTimeout} (unless
 * reading is paused for the inbox). A snapshot is delivered only if its chunks filled every byte of the array, so
 * nothing a reused array held before can leak into it. Every chunk frame is released here, accepted or not.
 *
 * <p>At most one payload under reassembly. One per connection, event loop only; lives as long as the channel.
 */
final class SnapshotAssembler extends ChannelInboundHandlerAdapter {
  private final PeerConnection connection;
  private final NettyTransportConfig config;
  private ScheduledFuture<?> watchdog;

  private SnapshotHeader receiving;
  private byte[] payload;
  private int received;
  private int dueIndex;
  private final CRC32C crc = new CRC32C();
  private long lastProgress;

  SnapshotAssembler(PeerConnection connection) {
    this.connection = connection;
    this.config = connection.config();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    watchdog = connection.checkProgressPeriodically(this::watch);
    ctx.fireChannelActive();
  }

  /** Periodic, on the event loop: a sender that stopped mid-transfer is disconnected. */
  private void watch() {
    long since = connection.progressSince(lastProgress);
    if (receiving != null && !connection.pausedForInbox()
        && System.nanoTime() - since > config.progressTimeout().toNanos()) {
      fail(ErrorCode.PROGRESS_TIMEOUT, "no snapshot chunk arrived for " + config.progressTimeout()
          + " (" + received + " of " + payload.length + " bytes received)");
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof WireFraming.ChunkFrame chunk) {
      try {
        ByteBuf data = chunk.content();
        int n = data.readableBytes();
        if (acceptChunk(chunk.index, n)) {
          data.getBytes(data.readerIndex(), payload, received, n);
          chunkReceived(n);
        }
      } finally {
        chunk.release();
      }
    } else if (msg instanceof Frame frame && frame.hasSnapshotHeader()) {
      onHeader(frame.getSnapshotHeader());
    } else if (msg instanceof Frame frame && frame.hasSnapshotChunk()) {
      onChunk(frame.getSnapshotChunk());
    } else if (msg instanceof Frame frame && frame.hasSnapshotEnd()) {
      onEnd(ctx, frame.getSnapshotEnd());
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  private void onHeader(SnapshotHeader header) {
    if (receiving != null) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "snapshot #" + header.getSequence() + " began before #"
          + receiving.getSequence() + " ended");
      return;
    }
    long limit = config.payloadLimit(header.getKind() == PayloadKind.RING_STATE);
    if (header.getPayloadBytes() < 0 || header.getPayloadBytes() > limit) {
      fail(ErrorCode.SNAPSHOT_TOO_LARGE, "a snapshot of " + header.getPayloadBytes()
          + " bytes was announced; this peer accepts at most " + limit + " for its model of "
          + config.fingerprint().parameterCount() + " parameters");
      return;
    }
    if (header.getRound() < 0 || header.getSync() < 0 || header.getDataSize() < 0) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "snapshot header with a negative round, sync or data size");
      return;
    }
    if (header.getKind() == PayloadKind.UNRECOGNIZED) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "snapshot #" + header.getSequence() + " announced payload kind "
          + header.getKindValue() + ", which this peer does not know; run the same version on both peers");
      return;
    }
    receiving = header;
    payload = connection.host().receiveArray(connection, (int) header.getPayloadBytes());
    received = 0;
    dueIndex = 0;
    crc.reset();
    lastProgress = System.nanoTime();
  }

  /** A chunk that took the protobuf path (a valid but not canonically encoded chunk frame). */
  private void onChunk(SnapshotChunk chunk) {
    int n = chunk.getData().size();
    if (acceptChunk(chunk.getIndex(), n)) {
      chunk.getData().copyTo(payload, received);
      chunkReceived(n);
    }
  }

  /** Whether chunk {@code index} of {@code n} bytes may be copied to {@code payload[received..]}; else fails. */
  private boolean acceptChunk(int index, int n) {
    if (receiving == null) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "chunk " + index + " arrived outside a snapshot");
      return false;
    }
    if (index != dueIndex) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "chunk " + index + " arrived where chunk " + dueIndex + " was due");
      return false;
    }
    if (n > payload.length - received) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "chunks exceed the announced " + payload.length + " bytes");
      return false;
    }
    return true;
  }

  private void chunkReceived(int n) {
    crc.update(payload, received, n);
    received += n;
    dueIndex++;
    lastProgress = System.nanoTime();
  }

  private void onEnd(ChannelHandlerContext ctx, SnapshotEnd end) {
    if (receiving == null) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "a snapshot end arrived outside a snapshot");
      return;
    }
    if (received != payload.length || end.getChunks() != dueIndex) {
      fail(ErrorCode.PROTOCOL_VIOLATION, "snapshot #" + receiving.getSequence() + " ended after " + received + " of "
          + payload.length + " bytes in " + dueIndex + " chunks (sender counted " + end.getChunks() + ")");
      return;
    }
    if ((int) crc.getValue() != end.getCrc32C()) {
      fail(ErrorCode.CHECKSUM_MISMATCH, "snapshot #" + receiving.getSequence() + " failed its CRC32C check");
      return;
    }
    SnapshotHeader h = receiving;
    PeerSnapshot snapshot = new PeerSnapshot(connection.remotePeer(), h.getRound(), h.getSync(), h.getSequence(),
        h.getDataSize(), payload,
        PeerSnapshot.Kind.valueOf(h.getKind().name()));
    clear();
    connection.counters().lastRound = Math.max(connection.counters().lastRound, h.getRound());
    ctx.writeAndFlush(Frame.newBuilder().setAck(Ack.newBuilder().setSequence(h.getSequence())).build());
    ctx.fireChannelRead(snapshot);
  }

  /** Fails the connection and lets go of the payload under reassembly at once. */
  private void fail(ErrorCode code, String message) {
    clear();
    connection.fail(code, message);
  }

  private void clear() {
    receiving = null;
    payload = null;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (watchdog != null) watchdog.cancel(false);
    clear();
    ctx.fireChannelInactive();
  }
}
