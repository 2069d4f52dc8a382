package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SignCodecTest extends CodecContractTest {
  @Override
  Codec codec() {
    return Codecs.parse("sign");
  }

  /** Values per scale; n (one scale per tensor) for plain sign. */
  int chunk(int n) {
    return Math.max(n, 1);
  }

  @Override
  int expectedSize(float[] x) {
    int n = x.length;
    int scales = codec().spec().parameter() == 0 ? 1 : (n + chunk(n) - 1) / chunk(n);
    return (n + 7) / 8 + 4 * scales;
  }

  /** α·sign(x) exactly: one magnitude per chunk, the chunk's mean |x|, and sign(0) = +1. */
  @Override
  void assertReconstructs(float[] x, float[] decoded) {
    int c = chunk(x.length);
    for (int from = 0; from < x.length; from += c) {
      int to = Math.min(x.length, from + c);
      double mean = 0;
      for (int i = from; i < to; i++) {
        mean += Math.abs(x[i]);
      }
      mean /= to - from;
      float alpha = Math.abs(decoded[from]);
      assertThat((double) alpha).isCloseTo(mean, org.assertj.core.data.Offset.offset(mean * 1e-5));
      for (int i = from; i < to; i++) {
        float expected = x[i] < 0 ? -alpha : alpha;
        assertThat(decoded[i]).as("value %d", i).isEqualTo(expected);
      }
    }
  }

  @Test
  void zeroAndNegativeZeroDecodeAsPlusAlpha() {
    float[] decoded = codec().decode(codec().encode("t", new float[] {0f, -0f, -3f, 1f}), 4);
    assertThat(decoded).containsExactly(1f, 1f, -1f, 1f);
    assertThat(Float.floatToRawIntBits(decoded[1])).isPositive();
  }

  @Test
  void bitLayoutIsLsbFirstWithOneMeaningNegative() {
    // values 0..9: negative at indices 1, 3 and 9
    float[] x = {2, -2, 2, -2, 2, 2, 2, 2, 2, -2};
    byte[] payload = Codecs.parse("sign").encode("t", x);
    assertThat(payload).hasSize(4 + 2);
    assertThat(LittleEndian.getFloat(payload, 0)).isEqualTo(2f);
    assertThat(payload[4]).isEqualTo((byte) 0b0000_1010);
    assertThat(payload[5]).isEqualTo((byte) 0b0000_0010);
  }

  @Test
  void negativeOrNonFiniteScaleIsRejected() {
    byte[] payload = Codecs.parse("sign").encode("t", new float[] {1, -1});
    LittleEndian.putFloat(payload, 0, -1f);
    assertThatThrownBy(() -> Codecs.parse("sign").decode(payload, 2)).isInstanceOf(CorruptSnapshotException.class);
    LittleEndian.putFloat(payload, 0, Float.NaN);
    assertThatThrownBy(() -> Codecs.parse("sign").decode(payload, 2)).isInstanceOf(CorruptSnapshotException.class);
  }
}
