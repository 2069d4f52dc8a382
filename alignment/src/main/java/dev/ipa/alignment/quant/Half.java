package dev.ipa.alignment.quant;

/** IEEE-754 binary16 conversions for stored biases: round to nearest even, saturating at ±65504. */
final class Half {
  private Half() {}

  /** binary32 to binary16 bits; the input must be finite. */
  static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7FFFFFFF;
    if (abs >= 0x477FF000) return (short) (sign | 0x7BFF); // would round to infinity
    if (abs < 0x38800000) { // below 2^-14: subnormal; the scaling is exact and rint ties to even
      return (short) (sign | (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24f));
    }
    int mantissa = abs & 0x7FFFFF;
    int half = (((abs >>> 23) - 112) << 10) | (mantissa >>> 13);
    int rest = mantissa & 0x1FFF;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) half++; // a carry into the exponent is correct
    return (short) (sign | half);
  }

  /** binary16 bits to binary32 (exact). */
  static float toFloat(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0) return (sign != 0 ? -1f : 1f) * mant * 0x1p-24f;
    if (exp == 31) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** The value a bias takes after a round trip through binary16. */
  static float round(float f) {
    return toFloat(fromFloat(f));
  }
}
