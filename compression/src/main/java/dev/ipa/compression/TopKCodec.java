package dev.ipa.compression;

/**
 * {@code topk:F}: keeps the k = ceil(F·n) values of largest magnitude (k ≤ n) and sends them as delta-coded
 * indices plus fp32 values; every other value decodes to 0. Ties at the k-th magnitude go to the lowest indices,
 * so the output is deterministic. Selection is a two-pass radix select over the magnitude bits (O(n), no sort).
 * Top-k sparsification with error feedback follows Stich, Cordonnier and Jaggi, "Sparsified SGD with Memory"
 * (NeurIPS 2018).
 *
 * <pre>
 *   +---------+-----------+-----------+-- .. --+-------------+--------+--------+-- .. --+----------+
 *   | k       | gap_0     | gap_1     |        | gap_k-1     | v_0    | v_1    |        | v_k-1    |
 *   | varint  | varint    | varint    |        | varint      | f32 LE | f32 LE |        | f32 LE   |
 *   +---------+-----------+-----------+-- .. --+-------------+--------+--------+-- .. --+----------+
 *   index_0 = gap_0, index_i = index_i-1 + 1 + gap_i (indices strictly increase, so gaps are gap − 1)
 *   varint = unsigned LEB128: 7 bits per byte, low group first, high bit set on all but the last byte
 * </pre>
 *
 * The size depends on how far apart the kept indices are, so {@link #fixedSize()} is false; the exact size is
 * varintLength(k) + Σ varintLength(gap_i) + 4k, and {@link #maxEncodedSize(int)} bounds it by 5 + 9k.
 */
public final class TopKCodec implements Codec {
  private final double fraction;
  private final CodecSpec spec;

  TopKCodec(double fraction) {
    this.spec = CodecSpec.topK(fraction);
    this.fraction = fraction;
  }

  @Override
  public CodecSpec spec() {
    return spec;
  }

  @Override
  public boolean fixedSize() {
    return false;
  }

  /** Number of kept values for n: ceil(F·n), at most n. */
  public int kept(int n) {
    return (int) Math.min(n, Math.ceil(fraction * n));
  }

  @Override
  public int maxEncodedSize(int n) {
    return Math.addExact(5, Math.multiplyExact(9, kept(n)));
  }

  @Override
  public int encode(String tensor, float[] src, int srcOff, int n, byte[] dst, int dstOff) {
    Finite.require(tensor, src, srcOff, n);
    int k = kept(n);
    int p = writeVarint(dst, dstOff, k);
    if (k == 0) {
      return p - dstOff;
    }
    // Magnitude bits of finite floats order like the magnitudes: select on the top 16 bits, then the low 15.
    int[] histogram = new int[1 << 16];
    for (int i = 0; i < n; i++) {
      histogram[(Float.floatToRawIntBits(src[srcOff + i]) & 0x7FFFFFFF) >>> 15]++;
    }
    int bucket = histogram.length - 1;
    int above = 0;
    while (above + histogram[bucket] < k) {
      above += histogram[bucket--];
    }
    java.util.Arrays.fill(histogram, 0);
    for (int i = 0; i < n; i++) {
      int magnitude = Float.floatToRawIntBits(src[srcOff + i]) & 0x7FFFFFFF;
      if (magnitude >>> 15 == bucket) {
        histogram[magnitude & 0x7FFF]++;
      }
    }
    int low = 0x7FFF;
    while (above + histogram[low] < k) {
      above += histogram[low--];
    }
    int threshold = (bucket << 15) | low;
    int tiesToTake = k - above;

    float[] values = new float[k];
    int taken = 0;
    int previous = -1;
    for (int i = 0; i < n && taken < k; i++) {
      int magnitude = Float.floatToRawIntBits(src[srcOff + i]) & 0x7FFFFFFF;
      boolean keep = magnitude > threshold || (magnitude == threshold && tiesToTake-- > 0);
      if (keep) {
        p = writeVarint(dst, p, i - previous - 1);
        values[taken++] = src[srcOff + i];
        previous = i;
      }
    }
    for (int j = 0; j < k; j++, p += 4) {
      LittleEndian.putFloat(dst, p, values[j]);
    }
    return p - dstOff;
  }

  @Override
  public void decode(byte[] src, int srcOff, int srcLen, float[] dst, int dstOff, int n) {
    int end = srcOff + srcLen;
    long[] cursor = {srcOff};
    long k = readVarint(src, cursor, end);
    if (k > n) {
      throw new CorruptSnapshotException("A " + spec + " payload keeps " + k + " values of a tensor of " + n + ".");
    }
    java.util.Arrays.fill(dst, dstOff, dstOff + n, 0f);
    long index = -1;
    // First pass validates the indices and finds where the values start; the second writes.
    for (int j = 0; j < k; j++) {
      index += readVarint(src, cursor, end) + 1;
      if (index >= n) {
        throw new CorruptSnapshotException("A " + spec + " payload names index " + index + " of a tensor of "
            + n + " values.");
      }
    }
    int valuesAt = (int) cursor[0];
    if (end - valuesAt != 4 * k) {
      throw new CorruptSnapshotException("A " + spec + " payload should end with " + 4 * k + " value bytes, but "
          + (end - valuesAt) + " remain.");
    }
    cursor[0] = srcOff;
    readVarint(src, cursor, end);
    index = -1;
    for (int j = 0; j < k; j++) {
      index += readVarint(src, cursor, end) + 1;
      float v = LittleEndian.getFloat(src, valuesAt + 4 * j);
      if (!Float.isFinite(v)) {
        throw new CorruptSnapshotException("A " + spec + " payload holds " + v + ", which no encoder writes.");
      }
      dst[dstOff + (int) index] = v;
    }
  }

  /** Length in bytes of v as an unsigned LEB128 varint. */
  public static int varintLength(int v) {
    int bits = 32 - Integer.numberOfLeadingZeros(v | 1);
    return (bits + 6) / 7;
  }

  static int writeVarint(byte[] dst, int p, int v) {
    while ((v & ~0x7F) != 0) {
      dst[p++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    dst[p++] = (byte) v;
    return p;
  }

  /** Reads an unsigned varint of at most 5 bytes and 31 bits at cursor[0], advancing it. */
  static long readVarint(byte[] src, long[] cursor, int end) {
    int p = (int) cursor[0];
    long v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (p >= end) {
        throw new CorruptSnapshotException("A top-k payload ends inside a varint.");
      }
      int b = src[p++];
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (v > Integer.MAX_VALUE) {
          break;
        }
        cursor[0] = p;
        return v;
      }
    }
    throw new CorruptSnapshotException("A top-k payload holds a varint longer than 31 bits.");
  }
}
