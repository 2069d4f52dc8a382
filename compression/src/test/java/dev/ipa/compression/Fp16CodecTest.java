package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Fp16CodecTest extends CodecContractTest {
  @Override
  Codec codec() {
    return Codecs.parse("fp16");
  }

  @Override
  int expectedSize(float[] x) {
    return 2 * x.length;
  }

  @Override
  void assertReconstructs(float[] x, float[] decoded) {
    for (int i = 0; i < x.length; i++) {
      double bound = Math.max(Math.abs(x[i]) * 0x1p-11, 0x1p-25);
      assertThat((double) decoded[i]).as("value %d", i).isCloseTo(x[i], org.assertj.core.data.Offset.offset(bound));
    }
  }

  @Test
  void everyFiniteHalfSurvivesTheRoundTripExactly() {
    for (int h = 0; h < 1 << 16; h++) {
      if (((h >>> 10) & 0x1F) == 31) {
        continue; // Inf and NaN are never encoded
      }
      assertThat(Fp16Codec.floatToHalf(Fp16Codec.halfToFloat(h))).as("half %04x", h).isEqualTo(h);
    }
  }

  @Test
  void roundsToNearestWithTiesToEven() {
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even mantissa, 1.
    assertThat(Fp16Codec.floatToHalf(1f + 0x1p-11f)).isEqualTo(0x3C00);
    // 1 + 3·2^-11 lies halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even).
    assertThat(Fp16Codec.floatToHalf(1f + 3 * 0x1p-11f)).isEqualTo(0x3C02);
    assertThat(Fp16Codec.floatToHalf(1f + 0x1p-11f + 0x1p-20f)).isEqualTo(0x3C01);
    // Smallest subnormal half is 2^-24; half of it ties to zero, a bit more rounds up.
    assertThat(Fp16Codec.floatToHalf(0x1p-25f)).isEqualTo(0);
    assertThat(Fp16Codec.floatToHalf(0x1.1p-25f)).isEqualTo(1);
    assertThat(Fp16Codec.floatToHalf(-0f)).isEqualTo(0x8000);
  }

  @Test
  void saturatesInsteadOfOverflowingToInfinity() {
    float[] decoded = codec().decode(codec().encode("t", new float[] {65504f, 65519f, 65520f, 1e30f, -1e30f}), 5);
    assertThat(decoded).containsExactly(65504f, 65504f, 65504f, 65504f, -65504f);
  }

  @Test
  void payloadWithAnInfinityIsRejected() {
    byte[] payload = {0x00, 0x7C};
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> codec().decode(payload, 1))
        .isInstanceOf(CorruptSnapshotException.class);
  }
}
