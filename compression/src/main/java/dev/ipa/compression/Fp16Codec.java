package dev.ipa.compression;

/**
 * {@code fp16}: values as IEEE-754 binary16, little-endian, 2n bytes. Rounds to nearest, ties to even, keeps
 * subnormals, and <em>saturates</em>: a magnitude that would round to infinity (≥ 65520) becomes ±65504, because
 * an infinite delta would poison the receiver's view for good while a saturated one is corrected by error
 * feedback next round.
 *
 * <pre>
 *   byte  0      2      4          2(n-1)   2n
 *         +------+------+--- ... --+--------+
 *         | h[0] | h[1] |          | h[n-1] |   binary16 LE: s eeeee mmmmmmmmmm
 *         +------+------+--- ... --+--------+
 * </pre>
 */
public final class Fp16Codec implements Codec {
  private static final int MAX_FINITE_HALF = 0x7BFF;
  /** binary16 to binary32 for every bit pattern; NaN for patterns with an all-ones exponent. */
  private static final float[] HALF_TO_FLOAT = new float[1 << 16];

  static {
    for (int h = 0; h < HALF_TO_FLOAT.length; h++) {
      HALF_TO_FLOAT[h] = halfToFloat(h);
    }
  }

  Fp16Codec() {}

  @Override
  public CodecSpec spec() {
    return CodecSpec.FP16;
  }

  @Override
  public boolean fixedSize() {
    return true;
  }

  @Override
  public int maxEncodedSize(int n) {
    return Math.multiplyExact(2, n);
  }

  @Override
  public int encode(String tensor, float[] src, int srcOff, int n, byte[] dst, int dstOff) {
    Finite.require(tensor, src, srcOff, n);
    for (int i = 0; i < n; i++) {
      LittleEndian.putShort(dst, dstOff + 2 * i, floatToHalf(src[srcOff + i]));
    }
    return 2 * n;
  }

  @Override
  public void decode(byte[] src, int srcOff, int srcLen, float[] dst, int dstOff, int n) {
    Codecs.requireLength(this, srcLen, n);
    for (int i = 0; i < n; i++) {
      dst[dstOff + i] = HALF_TO_FLOAT[LittleEndian.getUnsignedShort(src, srcOff + 2 * i)];
    }
    if (!Finite.all(dst, dstOff, n)) {
      throw new CorruptSnapshotException("An fp16 payload holds a NaN or infinite value, which no encoder writes.");
    }
  }

  /** binary32 to binary16 bits, round to nearest even, saturating at ±65504; the input must be finite. */
  static int floatToHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7FFFFFFF;
    if (abs >= 0x477FF000) { // ≥ 65520 rounds to infinity in binary16
      return sign | MAX_FINITE_HALF;
    }
    if (abs < 0x38800000) { // below 2^-14: subnormal half; scaling by 2^24 is exact and rint ties to even
      return sign | (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24f);
    }
    int mantissa = abs & 0x7FFFFF;
    int half = (((abs >>> 23) - 112) << 10) | (mantissa >>> 13);
    int rest = mantissa & 0x1FFF;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
      half++; // a carry into the exponent is the correct rounding
    }
    return sign | half;
  }

  /** binary16 bits to binary32; exact. */
  static float halfToFloat(int h) {
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1F;
    int mantissa = h & 0x3FF;
    if (exponent == 0) {
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    if (exponent == 31) {
      return Float.NaN;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
}
