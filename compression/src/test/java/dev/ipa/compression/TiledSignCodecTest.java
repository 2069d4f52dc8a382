package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** tile:8 (and, in subclasses, other P) against a naive reference reconstruction written straight from the paper's description. */
class TiledSignCodecTest extends CodecContractTest {
  /** P; subclasses run the same contract for other tile counts. */
  int tiles() {
    return 8;
  }

  @Override
  Codec codec() {
    return Codecs.parse("tile:" + tiles());
  }

  @Override
  int expectedSize(float[] x) {
    int p = tiles();
    return 4 * p + (x.length + 8 * p - 1) / (8 * p);
  }

  /** The reference: m = ceil(n/P), tile[j] = sign(Σ_c x[c·m + j]), x̂ = α_c · tile[j]; α_c in double. */
  static float[] naiveReconstruction(float[] x, int p) {
    int n = x.length;
    int m = (n + p - 1) / p;
    boolean[] negative = new boolean[m];
    for (int j = 0; j < m; j++) {
      float sum = 0f;
      for (int c = 0; c < p; c++) {
        if (c * m + j < n) {
          sum += x[c * m + j];
        }
      }
      negative[j] = sum < 0;
    }
    float[] out = new float[n];
    for (int c = 0; c < p; c++) {
      int from = c * m;
      int to = Math.min(n, from + m);
      double mean = 0;
      for (int i = from; i < to; i++) {
        mean += Math.abs(x[i]);
      }
      float alpha = to > from ? (float) (mean / (to - from)) : 0f;
      for (int i = from; i < to; i++) {
        out[i] = negative[i - from] ? -alpha : alpha;
      }
    }
    return out;
  }

  @Override
  void assertReconstructs(float[] x, float[] decoded) {
    float[] reference = naiveReconstruction(x, tiles());
    for (int i = 0; i < x.length; i++) {
      // Signs exactly; magnitudes up to the summation order of the mean (lanes vs one running double).
      assertThat(Float.floatToRawIntBits(decoded[i]) >>> 31).as("sign of value %d", i)
          .isEqualTo(Float.floatToRawIntBits(reference[i]) >>> 31);
      assertThat((double) decoded[i]).as("value %d", i)
          .isCloseTo(reference[i], org.assertj.core.data.Offset.offset(Math.abs(reference[i]) * 1e-6));
    }
  }

  @Test
  void theTileRepeatsAcrossChunksWithPerChunkScales() {
    int p = tiles();
    int m = 70;
    float[] x = new float[p * m];
    for (int c = 0; c < p; c++) {
      for (int j = 0; j < m; j++) {
        x[c * m + j] = (c + 1) * (j % 3 == 0 ? -1f : 1f);
      }
    }
    float[] decoded = codec().decode(codec().encode("t", x), x.length);
    for (int c = 0; c < p; c++) {
      for (int j = 0; j < m; j++) {
        assertThat(decoded[c * m + j]).isEqualTo((c + 1) * (j % 3 == 0 ? -1f : 1f));
      }
    }
  }

  @Test
  void fewerValuesThanTilesLeaveEmptyChunksWithZeroScale() {
    float[] x = {5f, -5f};
    byte[] payload = codec().encode("t", x);
    for (int c = 2; c < tiles(); c++) {
      assertThat(LittleEndian.getFloat(payload, 4 * c)).isZero();
    }
  }
}
