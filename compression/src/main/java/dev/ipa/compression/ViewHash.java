package dev.ipa.compression;

/**
 * The 64-bit version of a parameter view: XXH64 (seed 0, the published xxHash algorithm by Yann Collet) over the
 * little-endian bytes of the floats' raw bit patterns. Raw bits, so +0.0 and −0.0 give different versions: the
 * sender and receiver views are meant to be bit-identical, and this checks exactly that.
 *
 * <p>Why XXH64 rather than FNV-1a or CRC32C: FNV mixes one byte per multiply, about 8x slower on 64 MB views,
 * and a 32-bit CRC collides too soon for a version that must never accept a wrong base. Stateless and
 * thread-safe.
 */
public final class ViewHash {
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private ViewHash() {}

  /** The version of a whole view. */
  public static long of(float[] view) {
    return of(view, 0, view.length);
  }

  /** XXH64 of the 4·len little-endian bytes of {@code a[off, off + len)}. */
  public static long of(float[] a, int off, int len) {
    long totalBytes = 4L * len;
    int i = off;
    int end = off + len;
    long h;
    if (len >= 8) {
      long v1 = P1 + P2;
      long v2 = P2;
      long v3 = 0;
      long v4 = -P1;
      for (int limit = end - 8; i <= limit; i += 8) {
        v1 = round(v1, pair(a, i));
        v2 = round(v2, pair(a, i + 2));
        v3 = round(v3, pair(a, i + 4));
        v4 = round(v4, pair(a, i + 6));
      }
      h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
      h = merge(merge(merge(merge(h, v1), v2), v3), v4);
    } else {
      h = P5;
    }
    h += totalBytes;
    for (; i + 2 <= end; i += 2) {
      h ^= round(0, pair(a, i));
      h = Long.rotateLeft(h, 27) * P1 + P4;
    }
    if (i < end) {
      h ^= (Float.floatToRawIntBits(a[i]) & 0xFFFFFFFFL) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
    }
    return avalanche(h);
  }

  /** XXH64 of bytes, seed 0; used for the layout fingerprint and to check the float variant. */
  public static long ofBytes(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    long h;
    if (len >= 32) {
      long v1 = P1 + P2;
      long v2 = P2;
      long v3 = 0;
      long v4 = -P1;
      for (int limit = end - 32; i <= limit; i += 32) {
        v1 = round(v1, LittleEndian.getLong(b, i));
        v2 = round(v2, LittleEndian.getLong(b, i + 8));
        v3 = round(v3, LittleEndian.getLong(b, i + 16));
        v4 = round(v4, LittleEndian.getLong(b, i + 24));
      }
      h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
      h = merge(merge(merge(merge(h, v1), v2), v3), v4);
    } else {
      h = P5;
    }
    h += len;
    for (; i + 8 <= end; i += 8) {
      h ^= round(0, LittleEndian.getLong(b, i));
      h = Long.rotateLeft(h, 27) * P1 + P4;
    }
    if (i + 4 <= end) {
      h ^= (LittleEndian.getInt(b, i) & 0xFFFFFFFFL) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      i += 4;
    }
    for (; i < end; i++) {
      h ^= (b[i] & 0xFFL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
    }
    return avalanche(h);
  }

  private static long pair(float[] a, int i) {
    return (Float.floatToRawIntBits(a[i]) & 0xFFFFFFFFL) | ((long) Float.floatToRawIntBits(a[i + 1]) << 32);
  }

  private static long round(long acc, long input) {
    return Long.rotateLeft(acc + input * P2, 31) * P1;
  }

  private static long merge(long acc, long v) {
    return (acc ^ round(0, v)) * P1 + P4;
  }

  private static long avalanche(long h) {
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }
}
