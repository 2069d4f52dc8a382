package dev.ipa.compression;

/**
 * The hot loops shared by {@link SignCodec} and {@link TiledSignCodec}: pack signs 64 to a long, and expand a
 * bitmap back to ±α. Bit 1 means negative; +0.0 and −0.0 both count as non-negative (bit 0), so a zero decodes
 * to +α.
 */
final class SignBits {
  private SignBits() {}

  /** Bit 1 when v is strictly negative; +0.0 and −0.0 compare equal to 0, so both give bit 0. */
  static long signBit(float v) {
    return v < 0f ? 1L : 0L;
  }

  /**
   * Writes the sign bitmap of {@code src[off, off + n)} (ceil(n/8) bytes at {@code dst[dstOff]}) and returns
   * the sum of |x| over the range. The sum is NaN or infinite exactly when some input is, which is how callers
   * detect bad input without a second pass.
   *
   * <p>Why it looks like this: one pass, four values per step, four float accumulators flushed into a double
   * every 64 words (so precision does not decay on 16 Mi values), and compare-based bits with constant masks.
   * Measured on one core this beat a separate abs pass plus a bit loop, and table- or shift-based bit
   * extraction, by 1.5x to 1.8x.
   */
  static double packSignsSumAbs(float[] src, int off, int n, byte[] dst, int dstOff) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    double total = 0;
    int words = n >>> 6;
    int i = off;
    for (int w = 0; w < words; w++, i += 64) {
      long bits = 0;
      for (int t = 0; t < 64; t += 4) {
        float a = src[i + t];
        float b = src[i + t + 1];
        float c = src[i + t + 2];
        float d = src[i + t + 3];
        s0 += Math.abs(a);
        s1 += Math.abs(b);
        s2 += Math.abs(c);
        s3 += Math.abs(d);
        long nibble = (a < 0f ? 1L : 0L) | (b < 0f ? 2L : 0L) | (c < 0f ? 4L : 0L) | (d < 0f ? 8L : 0L);
        bits |= nibble << t;
      }
      LittleEndian.putLong(dst, dstOff + 8 * w, bits);
      if ((w & 63) == 63) {
        total += (double) s0 + s1 + s2 + s3;
        s0 = 0;
        s1 = 0;
        s2 = 0;
        s3 = 0;
      }
    }
    total += (double) s0 + s1 + s2 + s3;
    int tail = n & 63;
    if (tail > 0) {
      long bits = 0;
      for (int t = 0; t < tail; t++) {
        total += Math.abs(src[i + t]);
        bits |= signBit(src[i + t]) << t;
      }
      LittleEndian.putPartialLong(dst, dstOff + 8 * words, bits, (tail + 7) >>> 3);
    }
    return total;
  }

  /**
   * Writes ±alpha to {@code dst[off, off + n)} from the bitmap at {@code src[srcOff]}: bit 1 gives −alpha.
   * Flipping the IEEE sign bit is the negation, branch-free, for alpha of either sign.
   */
  static void unpackSigns(byte[] src, int srcOff, float alpha, float[] dst, int off, int n) {
    int a = Float.floatToRawIntBits(alpha);
    int words = n >>> 6;
    int i = off;
    for (int w = 0; w < words; w++, i += 64) {
      long bits = LittleEndian.getLong(src, srcOff + 8 * w);
      for (int t = 0; t < 64; t++) {
        dst[i + t] = Float.intBitsToFloat(a ^ ((int) (bits >>> t) << 31));
      }
    }
    int tail = n & 63;
    if (tail > 0) {
      long bits = LittleEndian.getPartialLong(src, srcOff + 8 * words, (tail + 7) >>> 3);
      for (int t = 0; t < tail; t++) {
        dst[i + t] = Float.intBitsToFloat(a ^ ((int) (bits >>> t) << 31));
      }
    }
  }

  /** Reads a tile scale and checks it is one an encoder can write: finite, either sign. */
  static float readSignedScale(byte[] src, int off, Codec codec, int index) {
    float alpha = LittleEndian.getFloat(src, off);
    if (!Float.isFinite(alpha)) {
      throw new CorruptSnapshotException("A " + codec.spec() + " payload has scale " + alpha + " at position "
          + index + ", but scales are finite.");
    }
    return alpha;
  }

  /** Reads a sign scale and checks it is one an encoder can write: finite and non-negative. */
  static float readScale(byte[] src, int off, Codec codec, int index) {
    float alpha = LittleEndian.getFloat(src, off);
    if (!(alpha >= 0 && alpha < Float.POSITIVE_INFINITY) || Float.floatToRawIntBits(alpha) < 0) {
      throw new CorruptSnapshotException("A " + codec.spec() + " payload has scale " + alpha + " at position "
          + index + ", but scales are finite and non-negative.");
    }
    return alpha;
  }
}
