package dev.ipa.compression;

/**
 * {@code int8[:C]}: symmetric 8-bit quantisation with one scale per chunk of C values (default
 * {@value CodecSpec#DEFAULT_INT8_CHUNK}). For chunk k, s_k = max|x| / 127 and q_i = round(x_i / s_k) in
 * [-127, 127]; decoding gives q_i · s_k. A chunk of zeros (or of values below ~1e-36, whose scale underflows)
 * has s_k = 0 and decodes to zeros.
 *
 * <pre>
 *   byte 0                      4K                               4K + n
 *        +------+------+-- .. --+------+------+------+-- .. --+------+
 *        | s_0  | s_1  |        |s_K-1 | q[0] | q[1] |        |q[n-1]|   K = ceil(n / C)
 *        +------+------+-- .. --+------+------+------+-- .. --+------+
 *          f32 LE scales                 int8 two's complement
 * </pre>
 */
public final class Int8Codec implements Codec {
  private final int chunk;
  private final CodecSpec spec;

  Int8Codec(int chunk) {
    this.spec = CodecSpec.int8(chunk);
    this.chunk = chunk;
  }

  @Override
  public CodecSpec spec() {
    return spec;
  }

  @Override
  public boolean fixedSize() {
    return true;
  }

  private int chunks(int n) {
    return (int) ((n + (long) chunk - 1) / chunk);
  }

  @Override
  public int maxEncodedSize(int n) {
    return Math.addExact(n, Math.multiplyExact(4, chunks(n)));
  }

  @Override
  public int encode(String tensor, float[] src, int srcOff, int n, byte[] dst, int dstOff) {
    Finite.require(tensor, src, srcOff, n);
    int chunks = chunks(n);
    int q = dstOff + 4 * chunks;
    for (int k = 0; k < chunks; k++) {
      int from = k * chunk;
      int len = Math.min(chunk, n - from);
      float max = 0;
      for (int i = 0; i < len; i++) {
        max = Math.max(max, Math.abs(src[srcOff + from + i]));
      }
      float scale = max / 127f;
      float inverse = scale == 0 ? 0 : 1f / scale;
      if (!Float.isFinite(inverse)) {
        scale = 0;
        inverse = 0;
      }
      LittleEndian.putFloat(dst, dstOff + 4 * k, scale);
      for (int i = 0; i < len; i++) {
        int v = Math.round(src[srcOff + from + i] * inverse);
        dst[q + from + i] = (byte) Math.max(-127, Math.min(127, v));
      }
    }
    return 4 * chunks + n;
  }

  @Override
  public void decode(byte[] src, int srcOff, int srcLen, float[] dst, int dstOff, int n) {
    Codecs.requireLength(this, srcLen, n);
    int chunks = chunks(n);
    int q = srcOff + 4 * chunks;
    for (int k = 0; k < chunks; k++) {
      float scale = LittleEndian.getFloat(src, srcOff + 4 * k);
      if (!(scale >= 0 && scale < Float.POSITIVE_INFINITY)) {
        throw new CorruptSnapshotException("An int8 payload has scale " + scale + " for chunk " + k
            + ", but scales are finite and non-negative.");
      }
      int from = k * chunk;
      int len = Math.min(chunk, n - from);
      for (int i = 0; i < len; i++) {
        dst[dstOff + from + i] = src[q + from + i] * scale;
      }
    }
  }
}
