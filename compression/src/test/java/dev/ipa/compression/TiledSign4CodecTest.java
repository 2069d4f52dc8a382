package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The tile contract for P = 4, plus the documented remainder example. */
class TiledSign4CodecTest extends TiledSignCodecTest {
  @Override
  int tiles() {
    return 4;
  }

  @Test
  void tenValuesInFourTilesGiveChunksOfThreeThreeThreeOne() {
    float[] x = {1, -1, 1, 2, -2, 2, 3, -3, 3, -100};
    byte[] payload = codec().encode("t", x);
    assertThat(payload).hasSize(16 + 1);
    // tile[0] = sign(1 + 2 + 3 - 100) < 0, tile[1] = sign(-1 - 2 - 3) < 0, tile[2] = sign(1 + 2 + 3) > 0
    assertThat(payload[16]).isEqualTo((byte) 0b011);
    // α_c = mean of x·tile over the chunk: (-1 + 1 + 1)/3, (-2 + 2 + 2)/3, (-3 + 3 + 3)/3, (-100·-1)/1
    float[] alphas = {(float) (1 / 3.0), (float) (2 / 3.0), 1f, 100f};
    for (int c = 0; c < 4; c++) {
      assertThat(LittleEndian.getFloat(payload, 4 * c)).isEqualTo(alphas[c]);
    }
    float a = alphas[0];
    float b = alphas[1];
    assertThat(codec().decode(payload, 10)).containsExactly(-a, -a, a, -b, -b, b, -1, -1, 1, -100);
  }
}
