package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code sign:128}: the same contract with one scale per 128 values. */
class ChunkedSignCodecTest extends SignCodecTest {
  @Override
  Codec codec() {
    return Codecs.parse("sign:128");
  }

  @Override
  int chunk(int n) {
    return 128;
  }

  @Test
  void eachChunkHasItsOwnScale() {
    float[] x = new float[200];
    java.util.Arrays.fill(x, 0, 128, 1f);
    java.util.Arrays.fill(x, 128, 200, -4f);
    float[] decoded = codec().decode(codec().encode("t", x), 200);
    assertThat(decoded[0]).isEqualTo(1f);
    assertThat(decoded[199]).isEqualTo(-4f);
    assertThat(codec().encodedSize(200)).isEqualTo(25 + 8);
  }
}
