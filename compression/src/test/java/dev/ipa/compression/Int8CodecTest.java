package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Int8CodecTest extends CodecContractTest {
  static final int CHUNK = 100;

  @Override
  Codec codec() {
    return Codecs.parse("int8:" + CHUNK);
  }

  @Override
  int expectedSize(float[] x) {
    return x.length + 4 * ((x.length + CHUNK - 1) / CHUNK);
  }

  @Override
  void assertReconstructs(float[] x, float[] decoded) {
    for (int from = 0; from < x.length; from += CHUNK) {
      float max = 0;
      for (int i = from; i < Math.min(x.length, from + CHUNK); i++) {
        max = Math.max(max, Math.abs(x[i]));
      }
      double bound = max / 127.0 * 0.5001 + 1e-36;
      for (int i = from; i < Math.min(x.length, from + CHUNK); i++) {
        assertThat((double) Math.abs(decoded[i] - x[i])).as("value %d", i).isLessThanOrEqualTo(bound);
      }
    }
  }

  @Test
  void theLargestMagnitudeOfAChunkMapsToPlusOrMinus127() {
    byte[] payload = Codecs.parse("int8").encode("t", new float[] {-2f, 1f, 0f});
    assertThat(LittleEndian.getFloat(payload, 0)).isEqualTo(2f / 127f);
    assertThat(new byte[] {payload[4], payload[5], payload[6]}).containsExactly(-127, 64, 0);
  }

  @Test
  void defaultChunkIs4096() {
    assertThat(Codecs.parse("int8").encodedSize(4097)).isEqualTo(4097 + 8);
  }
}
