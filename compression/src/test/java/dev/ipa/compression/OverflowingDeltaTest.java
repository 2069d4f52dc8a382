package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * A hostile sender's delta whose every value is finite but whose sum with the view overflows: the receiver must
 * refuse it and keep its view, or its own next encode would fail as "diverged".
 */
class OverflowingDeltaTest {
  private static final TensorLayout LAYOUT = TensorLayout.builder().add("w", 4).build();

  /** A well-formed fp32 DELTA of {@code delta} against {@code baseVersion}, claiming {@code newVersion}. */
  private static byte[] delta(float[] delta, long baseVersion, long newVersion) {
    Codec fp32 = Codecs.of(CodecSpec.NONE);
    byte[] b = new byte[SnapshotFormat.payloadsStart(1) + fp32.maxEncodedSize(delta.length) + SnapshotFormat.CHECKSUM_BYTES];
    int written = fp32.encode("w", delta, 0, delta.length, b, SnapshotFormat.payloadsStart(1));
    SnapshotFormat.writeEntry(b, 0, fp32.spec(), delta.length, written);
    SnapshotFormat.writeHeader(b, SnapshotKind.DELTA, 1, 0, baseVersion, newVersion, LAYOUT.fingerprint(), 1);
    int length = SnapshotFormat.seal(b, SnapshotFormat.payloadsStart(1) + written);
    return java.util.Arrays.copyOf(b, length);
  }

  @Test
  void aDeltaThatOverflowsTheViewIsRefusedAndTheViewKept() throws Exception {
    float[] base = {3e38f, 1, 2, 3};
    SnapshotEncoder encoder = new SnapshotEncoder(LAYOUT, new CodecPolicy(CodecSpec.NONE, 0, CodecSpec.NONE, CodecSpec.NONE, 0));
    SnapshotDecoder decoder = new SnapshotDecoder(LAYOUT);
    decoder.apply(encoder.encode(base, 0).bytes());
    float[] overflowing = {3e38f, 3e38f, 0, 0}; // 3e38 + 3e38 = +∞ in binary32
    float[] sum = {Float.POSITIVE_INFINITY, 3e38f + 1, 2, 3};
    byte[] message = delta(overflowing, decoder.version(), ViewHash.of(sum));
    assertThatThrownBy(() -> decoder.apply(message)).isInstanceOf(CorruptSnapshotException.class).hasMessageContaining("not finite");
    assertThat(decoder.view()).containsExactly(base);
  }

  @Test
  void aFiniteDeltaStillApplies() throws Exception {
    float[] base = {1, 1, 2, 3};
    SnapshotEncoder encoder = new SnapshotEncoder(LAYOUT, new CodecPolicy(CodecSpec.NONE, 0, CodecSpec.NONE, CodecSpec.NONE, 0));
    SnapshotDecoder decoder = new SnapshotDecoder(LAYOUT);
    decoder.apply(encoder.encode(base, 0).bytes());
    float[] sum = {2, 1, 2, 3};
    decoder.apply(delta(new float[] {1, 0, 0, 0}, decoder.version(), ViewHash.of(sum)));
    assertThat(decoder.view()).containsExactly(sum);
  }
}
