package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TopKCodecTest extends CodecContractTest {
  static final double FRACTION = 0.05;

  @Override
  Codec codec() {
    return Codecs.parse("topk:" + FRACTION);
  }

  /** Indices of the k largest |x|, ties to the lower index, ascending; by a full sort, unlike the codec. */
  static int[] reference(float[] x, double fraction) {
    int k = (int) Math.min(x.length, Math.ceil(fraction * x.length));
    long[] keys = new long[x.length];
    for (int i = 0; i < x.length; i++) {
      long descendingMagnitude = 0x7FFFFFFFL - (Float.floatToRawIntBits(x[i]) & 0x7FFFFFFF);
      keys[i] = descendingMagnitude << 32 | i;
    }
    Arrays.sort(keys);
    int[] kept = new int[k];
    for (int j = 0; j < k; j++) {
      kept[j] = (int) keys[j];
    }
    Arrays.sort(kept);
    return kept;
  }

  static int varintLength(long v) {
    int length = 1;
    while (v >= 128) {
      v >>>= 7;
      length++;
    }
    return length;
  }

  @Override
  int expectedSize(float[] x) {
    int[] kept = reference(x, FRACTION);
    int size = varintLength(kept.length) + 4 * kept.length;
    int previous = -1;
    for (int index : kept) {
      size += varintLength(index - previous - 1);
      previous = index;
    }
    return size;
  }

  @Override
  void assertReconstructs(float[] x, float[] decoded) {
    float[] expected = new float[x.length];
    for (int i : reference(x, FRACTION)) {
      expected[i] = x[i];
    }
    // isEqualTo compares with Arrays.equals in one pass; containsExactly is quadratic on a million mostly-zero values.
    assertThat(decoded).isEqualTo(expected);
  }

  @Test
  void tiesGoToTheLowestIndices() {
    float[] x = {1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, 2};
    float[] decoded = Codecs.parse("topk:0.1").decode(Codecs.parse("topk:0.1").encode("t", x), x.length);
    float[] expected = new float[x.length];
    expected[19] = 2;
    expected[0] = 1;
    assertThat(decoded).containsExactly(expected);
  }

  @Test
  void wireLayoutIsCountThenGapsThenValues() {
    float[] x = new float[300];
    x[2] = 5;
    x[200] = -7;
    byte[] payload = Codecs.parse("topk:0.005").encode("t", x); // k = ceil(1.5) = 2
    // k = 2, gap 2, gap 197 = 0xC5 0x01 as LEB128, then 5f and -7f
    assertThat(Arrays.copyOf(payload, 4)).containsExactly(2, 2, 0xC5, 0x01);
    assertThat(LittleEndian.getFloat(payload, 4)).isEqualTo(5f);
    assertThat(LittleEndian.getFloat(payload, 8)).isEqualTo(-7f);
    assertThat(payload).hasSize(12);
  }

  @Test
  void encodedSizeIsRefusedBecauseItDependsOnTheData() {
    assertThat(codec().fixedSize()).isFalse();
    assertThatThrownBy(() -> codec().encodedSize(10)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void outOfRangeIndexIsRejected() {
    byte[] payload = {1, 10, 0, 0, (byte) 0x80, 0x3F};
    assertThatThrownBy(() -> Codecs.parse("topk:0.1").decode(payload, 10))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("index 10");
  }

  @Test
  void varintLengthMatchesTheEncoder() {
    for (int v : new int[] {0, 1, 127, 128, 16383, 16384, Integer.MAX_VALUE}) {
      assertThat(TopKCodec.varintLength(v)).isEqualTo(varintLength(v));
    }
  }
}
