package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Fp32CodecTest extends CodecContractTest {
  @Override
  Codec codec() {
    return Codecs.parse("none");
  }

  @Override
  int expectedSize(float[] x) {
    return 4 * x.length;
  }

  @Override
  void assertReconstructs(float[] x, float[] decoded) {
    for (int i = 0; i < x.length; i++) {
      assertThat(Float.floatToRawIntBits(decoded[i])).as("bits of value %d", i)
          .isEqualTo(Float.floatToRawIntBits(x[i]));
    }
  }

  @Test
  void bytesAreLittleEndianBinary32() {
    assertThat(codec().encode("t", new float[] {1f, -2f}))
        .containsExactly(0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0);
  }
}
