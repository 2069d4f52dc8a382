package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
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

  /** The reference: m = ceil(n/P), tile[j] = sign(Σ_c x[c·m + j]), α_c = mean of x·tile over chunk c (double). */
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
      double dot = 0;
      for (int i = from; i < to; i++) {
        dot += negative[i - from] ? -x[i] : x[i];
      }
      float alpha = to > from ? (float) (dot / (to - from)) : 0f;
      for (int i = from; i < to; i++) {
        out[i] = negative[i - from] ? -alpha : alpha;
      }
    }
    return out;
  }

  @Override
  void assertReconstructs(float[] x, float[] decoded) {
    float[] reference = naiveReconstruction(x, tiles());
    int m = (x.length + tiles() - 1) / tiles();
    double[] meanAbs = new double[tiles()];
    for (int i = 0; i < x.length; i++) {
      meanAbs[i / m] += Math.abs(x[i]) / Math.min(m, x.length - (i / m) * m);
    }
    for (int i = 0; i < x.length; i++) {
      // Exact up to the summation order of α_c: the codec sums x·tile in float lanes of at most 32 terms, drained
      // into doubles. Float rounding scales with the magnitudes summed, so the bound is relative to the chunk's
      // mean |x| (about 2e-6 of it at worst), not to α_c, which cancellation can make tiny.
      double tolerance = meanAbs[i / m] * 1e-5 + 1e-30;
      assertThat((double) decoded[i]).as("value %d", i)
          .isCloseTo(reference[i], org.assertj.core.data.Offset.offset(tolerance));
    }
  }

  @Test
  void aChunkAgainstTheTileGetsANegativeScale() {
    // chunk 0 dominates the sum, chunk 1 opposes it everywhere: its least-squares scale is -1
    float[] x = {5, -5, 5, -5, -1, 1, -1, 1};
    byte[] payload = Codecs.parse("tile:2").encode("t", x);
    assertThat(LittleEndian.getFloat(payload, 0)).isEqualTo(5f);
    assertThat(LittleEndian.getFloat(payload, 4)).isEqualTo(-1f);
    assertThat(Codecs.parse("tile:2").decode(payload, 8)).containsExactly(x);
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

  @Test
  void chunkSumsThatOverflowToInfinityKeepTheirSign() {
    // Finite input whose column sums overflow: +Inf must still give bit 0, -Inf bit 1, and finite scales.
    float big = 3e38f;
    float[] x = {big, -big, big, -big};
    byte[] payload = Codecs.parse("tile:2").encode("t", x);
    assertThat(payload[8]).isEqualTo((byte) 0b10);
    assertThat(LittleEndian.getFloat(payload, 0)).isEqualTo(big);
    assertThat(LittleEndian.getFloat(payload, 4)).isEqualTo(big);
    assertThat(Codecs.parse("tile:2").decode(payload, 4)).containsExactly(x);
  }

  @Test
  void aCorruptScaleIsRejectedBeforeAnyValueIsWritten() {
    float[] x = Samples.gaussian(1000, 5, 1);
    byte[] payload = encode(x);
    LittleEndian.putFloat(payload, 4 * (tiles() - 1), Float.NaN);
    float[] into = Samples.constant(x.length, 9f);
    assertThatThrownBy(() -> codec().decode(payload, 0, payload.length, into, 0, x.length))
        .isInstanceOf(CorruptSnapshotException.class);
    assertThat(Arrays.equals(into, Samples.constant(x.length, 9f))).isTrue();
  }
}
