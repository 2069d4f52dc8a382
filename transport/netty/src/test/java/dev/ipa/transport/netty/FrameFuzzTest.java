package dev.ipa.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Fuzzes everything a remote peer controls before and after the handshake: length-prefixed framing, protobuf
 * decoding and the protocol handlers (handshake, assembler, delivery, ...). Invariants: no exception escapes the pipeline, every
 * input buffer is released, and nothing stays queued in the channel.
 *
 * <p>The regression inputs under {@code src/test/resources/dev/ipa/transport/netty/FrameFuzzTestInputs} run in
 * every {@code mvn test}. To fuzz (1,000,000 executions per method, see the annotation):
 * {@code JAZZER_FUZZ=1 ./mvnw -pl transport test -Dtest=FrameFuzzTest}.
 */
class FrameFuzzTest {

  @FuzzTest(maxExecutions = 1_000_000, maxDuration = "30m")
  void unauthenticatedBytes(byte[] data) {
    feed(new EmbeddedPeer(), data);
  }

  @FuzzTest(maxExecutions = 1_000_000, maxDuration = "30m")
  void bytesAfterTheHandshake(byte[] data) {
    feed(new EmbeddedPeer().established(), data);
  }

  private static void feed(EmbeddedPeer p, byte[] data) {
    ByteBuf in = Unpooled.wrappedBuffer(data);
    // Split into two writes so the decoders also see a frame boundary falling inside a read.
    int cut = data.length / 3;
    ByteBuf first = in.readRetainedSlice(cut);
    ByteBuf rest = in.readRetainedSlice(in.readableBytes());
    in.release();
    p.channel.writeInbound(first);
    if (p.channel.isOpen()) p.channel.writeInbound(rest);
    else rest.release();
    p.channel.checkException();
    p.outbound();
    p.channel.finishAndReleaseAll();
    // A zero-length slice may be the shared EMPTY_BUFFER, whose reference count is fixed at 1.
    if (first.capacity() > 0) assertThat(first.refCnt()).isZero();
    if (rest.capacity() > 0) assertThat(rest.refCnt()).isZero();
    for (var s : p.snapshots) assertThat(s.payload().length).isLessThanOrEqualTo((int) p.config.maxSnapshotBytes());
  }
}
