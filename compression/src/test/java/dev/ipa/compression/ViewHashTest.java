package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ViewHashTest {
  static long xxh64(String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    return ViewHash.ofBytes(b, 0, b.length);
  }

  @Test
  void matchesPublishedXxh64Vectors() {
    assertThat(xxh64("")).isEqualTo(0xEF46DB3751D8E999L);
    assertThat(xxh64("a")).isEqualTo(0xD24EC4F1A98C6E5BL);
    assertThat(xxh64("abc")).isEqualTo(0x44BC2CF5AD770999L);
    assertThat(xxh64("Nobody inspects the spammish repetition")).isEqualTo(0xFBCEA83C8A378BF1L);
  }

  @Test
  void floatHashEqualsTheByteHashOfTheLittleEndianBits() {
    for (int n = 0; n < 70; n++) {
      float[] x = Samples.gaussian(n, n, 1);
      ByteBuffer bytes = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
      bytes.asFloatBuffer().put(x);
      assertThat(ViewHash.of(x)).as("n = %d", n).isEqualTo(ViewHash.ofBytes(bytes.array(), 0, 4 * n));
    }
  }

  @Test
  void distinguishesSignedZeroAndSingleBitChanges() {
    float[] x = new float[100];
    long zeros = ViewHash.of(x);
    x[50] = -0f;
    assertThat(ViewHash.of(x)).isNotEqualTo(zeros);
    x[50] = Float.MIN_VALUE;
    assertThat(ViewHash.of(x)).isNotEqualTo(zeros);
  }
}
