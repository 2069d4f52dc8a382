package dev.ipa.compression;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code none}: values as IEEE-754 binary32, little-endian, 4n bytes. Used for exact full snapshots.
 *
 * <pre>
 *   byte  0        4        8            4(n-1)     4n
 *         +--------+--------+--- ... ---+----------+
 *         | x[0]   | x[1]   |           | x[n-1]   |   f32 LE
 *         +--------+--------+--- ... ---+----------+
 * </pre>
 */
public final class Fp32Codec implements Codec {
  Fp32Codec() {}

  @Override
  public CodecSpec spec() {
    return CodecSpec.NONE;
  }

  @Override
  public boolean fixedSize() {
    return true;
  }

  @Override
  public int maxEncodedSize(int n) {
    return Math.multiplyExact(4, n);
  }

  @Override
  public int encode(String tensor, float[] src, int srcOff, int n, byte[] dst, int dstOff) {
    Finite.require(tensor, src, srcOff, n);
    ByteBuffer.wrap(dst, dstOff, 4 * n).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(src, srcOff, n);
    return 4 * n;
  }

  @Override
  public void decode(byte[] src, int srcOff, int srcLen, float[] dst, int dstOff, int n) {
    Codecs.requireLength(this, srcLen, n);
    ByteBuffer.wrap(src, srcOff, srcLen).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, dstOff, n);
    if (!Finite.all(dst, dstOff, n)) {
      throw new CorruptSnapshotException("An fp32 payload holds a NaN or infinite value, which no encoder writes.");
    }
  }
}
