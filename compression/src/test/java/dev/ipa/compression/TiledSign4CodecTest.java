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
    assertThat(LittleEndian.getFloat(payload, 0)).isEqualTo(1f);
    assertThat(LittleEndian.getFloat(payload, 4)).isEqualTo(2f);
    assertThat(LittleEndian.getFloat(payload, 8)).isEqualTo(3f);
    assertThat(LittleEndian.getFloat(payload, 12)).isEqualTo(100f);
    // tile[0] = sign(1 + 2 + 3 - 100) < 0, tile[1] = sign(-1 - 2 - 3) < 0, tile[2] = sign(1 + 2 + 3) > 0
    assertThat(payload[16]).isEqualTo((byte) 0b011);
    assertThat(codec().decode(payload, 10)).containsExactly(-1, -1, 1, -2, -2, 2, -3, -3, 3, -100);
  }
}
