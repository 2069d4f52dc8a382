package dev.ipa.compression;

/**
 * The hot loops shared by {@link SignCodec} and {@link TiledSignCodec}: pack signs 64 to a long, and expand a
 * bitmap back to ±α. Bit 1 means negative; +0.0 and −0.0 both count as non-negative (bit 0), so a zero decodes
 * to +α.
 */
final class SignBits {
  private SignBits() {}

  /** Bit 1 when v is strictly negative. Adding +0f turns −0.0 into +0.0, so no branch is needed for zero. */
  static long signBit(float v) {
    return Float.floatToRawIntBits(v + 0f) >>> 31;
  }

  /**
   * Writes the sign bitmap of {@code src[off, off + n)} (ceil(n/8) bytes at {@code dst[dstOff]}) and returns
   * the sum of |x| over the range, accumulated in 64 float lanes flushed into a double every 64 words. The sum is
   * NaN or infinite exactly when some input is, which is how callers detect bad input without a second pass.
   */
  static double packSignsSumAbs(float[] src, int off, int n, byte[] dst, int dstOff) {
    float[] lanes = new float[64];
    double total = 0;
    int words = n >>> 6;
    int i = off;
    for (int w = 0; w < words; w++, i += 64) {
      for (int t = 0; t < 64; t++) {
        lanes[t] += Math.abs(src[i + t]);
      }
      long bits = 0;
      for (int t = 0; t < 64; t++) {
        bits |= signBit(src[i + t]) << t;
      }
      LittleEndian.putLong(dst, dstOff + 8 * w, bits);
      if ((w & 63) == 63) {
        total += flush(lanes);
      }
    }
    int tail = n & 63;
    if (tail > 0) {
      long bits = 0;
      for (int t = 0; t < tail; t++) {
        lanes[t] += Math.abs(src[i + t]);
        bits |= signBit(src[i + t]) << t;
      }
      LittleEndian.putPartialLong(dst, dstOff + 8 * words, bits, (tail + 7) >>> 3);
    }
    return total + flush(lanes);
  }

  /** Sums and clears the lanes in a fixed order, so the result is deterministic. */
  static double flush(float[] lanes) {
    double sum = 0;
    for (int t = 0; t < lanes.length; t++) {
      sum += lanes[t];
      lanes[t] = 0;
    }
    return sum;
  }

  /**
   * Writes ±alpha to {@code dst[off, off + n)} from the bitmap at {@code src[srcOff]}: bit 1 gives −alpha.
   * alpha must be non-negative, so setting the IEEE sign bit is the negation.
   */
  static void unpackSigns(byte[] src, int srcOff, float alpha, float[] dst, int off, int n) {
    int a = Float.floatToRawIntBits(alpha);
    int words = n >>> 6;
    int i = off;
    for (int w = 0; w < words; w++, i += 64) {
      long bits = LittleEndian.getLong(src, srcOff + 8 * w);
      for (int t = 0; t < 64; t++) {
        dst[i + t] = Float.intBitsToFloat(a | ((int) (bits >>> t) << 31));
      }
    }
    int tail = n & 63;
    if (tail > 0) {
      long bits = LittleEndian.getPartialLong(src, srcOff + 8 * words, (tail + 7) >>> 3);
      for (int t = 0; t < tail; t++) {
        dst[i + t] = Float.intBitsToFloat(a | ((int) (bits >>> t) << 31));
      }
    }
  }

  /** Reads a scale and checks it is one an encoder can write: finite and non-negative. */
  static float readScale(byte[] src, int off, Codec codec, int index) {
    float alpha = LittleEndian.getFloat(src, off);
    if (!(alpha >= 0 && alpha < Float.POSITIVE_INFINITY) || Float.floatToRawIntBits(alpha) < 0) {
      throw new CorruptSnapshotException("A " + codec.spec() + " payload has scale " + alpha + " at position "
          + index + ", but scales are finite and non-negative.");
    }
    return alpha;
  }
}
