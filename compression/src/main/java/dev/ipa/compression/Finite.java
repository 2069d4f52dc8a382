package dev.ipa.compression;

/** Finiteness checks written as an OR-reduction over exponent bits, which the JIT vectorises. */
final class Finite {
  private static final int EXPONENT = 0x7F800000;
  private static final int EXPONENT_LSB = 0x00800000;

  private Finite() {}

  /**
   * Throws {@link NonFiniteValueException} naming {@code tensor} and the first bad index if any of
   * {@code a[off, off + n)} is NaN or infinite.
   */
  static void require(String tensor, float[] a, int off, int n) {
    // (bits & EXPONENT) + EXPONENT_LSB reaches bit 31 only when the exponent is all ones (Inf or NaN).
    int flag = 0;
    for (int i = off, end = off + n; i < end; i++) {
      flag |= (Float.floatToRawIntBits(a[i]) & EXPONENT) + EXPONENT_LSB;
    }
    if (flag < 0) {
      throw firstNonFinite(tensor, a, off, n);
    }
  }

  /** The exception for the first non-finite value in the range; call only when one is known to exist. */
  static NonFiniteValueException firstNonFinite(String tensor, float[] a, int off, int n) {
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(a[off + i])) {
        return new NonFiniteValueException(tensor, i, a[off + i]);
      }
    }
    throw new IllegalStateException("No non-finite value in tensor '" + tensor + "', although a check reported one.");
  }

  /** True when every value in the range is finite. */
  static boolean all(float[] a, int off, int n) {
    int flag = 0;
    for (int i = off, end = off + n; i < end; i++) {
      flag |= (Float.floatToRawIntBits(a[i]) & EXPONENT) + EXPONENT_LSB;
    }
    return flag >= 0;
  }
}
