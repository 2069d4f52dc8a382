package dev.ipa.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipa.transport.internal.wire.Accept;
import dev.ipa.transport.internal.wire.Ack;
import dev.ipa.transport.internal.wire.Error;
import dev.ipa.transport.internal.wire.ErrorCode;
import dev.ipa.transport.internal.wire.Frame;
import dev.ipa.transport.internal.wire.Heartbeat;
import dev.ipa.transport.internal.wire.Hello;
import dev.ipa.transport.internal.wire.Reject;
import dev.ipa.transport.internal.wire.ResyncRequest;
import dev.ipa.transport.internal.wire.SnapshotChunk;
import dev.ipa.transport.internal.wire.SnapshotEnd;
import dev.ipa.transport.internal.wire.SnapshotHeader;
import dev.ipa.transport.internal.wire.StopNotice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the encoded bytes of one frame of every type (length prefix included), so a change to the .proto that
 * old peers could not read shows up here. Regenerate deliberately with
 * {@code ./mvnw -pl transport test -Dtest=WireGoldenTest -Dgolden.update=true} and bump the protocol version.
 */
class WireGoldenTest {
  static final Path SOURCE = Path.of("src/test/resources/golden");

  static Map<String, Frame> frames() {
    Hello hello = HandshakeHandler.helloOf(EmbeddedPeer.peerConfig("b")).toBuilder().clearCodecs()
        .addCodecs("raw").addCodecs("tiled-sign").build();
    Map<String, Frame> m = new LinkedHashMap<>();
    m.put("hello", Frame.newBuilder().setHello(hello).build());
    m.put("accept", Frame.newBuilder().setAccept(Accept.newBuilder().setHello(hello)).build());
    m.put("reject", Frame.newBuilder().setReject(Reject.newBuilder().setReason("model fingerprint differs")).build());
    m.put("snapshot_header", Frame.newBuilder().setSnapshotHeader(SnapshotHeader.newBuilder().setRound(7).setSync(2)
        .setSequence(123456789012L).setDataSize(60000).setPayloadBytes(3_000_000)).build());
    m.put("snapshot_chunk", Frame.newBuilder().setSnapshotChunk(SnapshotChunk.newBuilder().setIndex(2)
        .setData(ByteString.copyFrom(new byte[] {0, 1, 2, 3, (byte) 0xfe, (byte) 0xff}))).build());
    m.put("snapshot_end", Frame.newBuilder().setSnapshotEnd(SnapshotEnd.newBuilder().setCrc32C(0xCAFEBABE).setChunks(3)).build());
    m.put("ack", Frame.newBuilder().setAck(Ack.newBuilder().setSequence(42)).build());
    m.put("heartbeat", Frame.newBuilder().setHeartbeat(Heartbeat.newBuilder().setTimestampNanos(987654321L).setReply(true)).build());
    m.put("stop", Frame.newBuilder().setStop(StopNotice.newBuilder().setRound(30).setReason("max rounds")).build());
    m.put("resync", Frame.newBuilder().setResync(ResyncRequest.newBuilder().setRound(12).setReason("unknown base 11")).build());
    m.put("error", Frame.newBuilder().setError(Error.newBuilder().setCode(ErrorCode.CHECKSUM_MISMATCH)
        .setMessage("snapshot #4 failed its CRC32C check")).build());
    return m;
  }

  static Iterable<String> names() {
    return frames().keySet();
  }

  private static byte[] encode(Frame f) throws IOException {
    ByteBuf b = Unpooled.buffer();
    WireFraming.FrameEncoder.encode(f, b);
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    b.release();
    return out;
  }

  @ParameterizedTest
  @MethodSource("names")
  void encodingMatchesTheGoldenFileAndDecodesBack(String name) throws IOException {
    Frame frame = frames().get(name);
    byte[] encoded = encode(frame);
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(SOURCE);
      Files.write(SOURCE.resolve(name + ".bin"), encoded);
    }
    byte[] golden;
    try (InputStream in = WireGoldenTest.class.getResourceAsStream("/golden/" + name + ".bin")) {
      assertThat(in).as("golden file golden/" + name + ".bin").isNotNull();
      golden = in.readAllBytes();
    }
    assertThat(encoded).as("encoding of " + name).isEqualTo(golden);

    ByteBuf in = Unpooled.wrappedBuffer(golden);
    assertThat(in.readInt()).isEqualTo(golden.length - 4);
    assertThat(WireFraming.FrameDecoder.decode(in)).isEqualTo(frame);
  }
}
