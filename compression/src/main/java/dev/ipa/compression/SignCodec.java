package dev.ipa.compression;

/**
 * {@code sign[:C]}: one bit per value plus a scale α = mean|x|, over the whole tensor ({@code sign}) or over each
 * chunk of C values ({@code sign:C}, C a multiple of 64 so chunks start on a 64-bit word). Decoding gives
 * α·sign(x), where sign(0) = +1 (both +0.0 and −0.0 encode as bit 0). This is signSGD with the mean-magnitude
 * scale of Karimireddy et al., "Error Feedback Fixes SignSGD" (ICML 2019), which is why it is meant to run inside
 * {@link SnapshotEncoder}'s error-feedback loop.
 *
 * <pre>
 *   byte 0                    4K                                  4K + ceil(n/8)
 *        +------+-- .. --+------+--------+--------+-- .. --+--------+
 *        | α_0  |        |α_K-1 | word 0 | word 1 |        | tail   |   K = 1 (sign) or ceil(n/C)
 *        +------+-- .. --+------+--------+--------+-- .. --+--------+
 *          f32 LE scales          u64 LE, bit t of word w = value 64w + t, 1 = negative;
 *                                 the last word is cut to the bytes it needs
 * </pre>
 *
 * Size: ceil(n/8) + 4·K bytes, exactly.
 */
public final class SignCodec implements Codec {
  private final int chunk;
  private final CodecSpec spec;

  SignCodec(int chunk) {
    this.spec = CodecSpec.sign(chunk);
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

  /** Number of scales for n values: 1 per tensor (even when empty), or one per chunk. */
  int scales(int n) {
    return chunk == 0 ? 1 : (int) ((n + (long) chunk - 1) / chunk);
  }

  @Override
  public int maxEncodedSize(int n) {
    return Math.addExact((int) ((n + 7L) >>> 3), Math.multiplyExact(4, scales(n)));
  }

  @Override
  public int encode(String tensor, float[] src, int srcOff, int n, byte[] dst, int dstOff) {
    int scales = scales(n);
    int bitsAt = dstOff + 4 * scales;
    int chunkLength = chunk == 0 ? n : chunk;
    for (int k = 0; k < scales; k++) {
      int from = k * chunkLength;
      int len = Math.min(chunkLength, n - from);
      double sumAbs = SignBits.packSignsSumAbs(src, srcOff + from, len, dst, bitsAt + (from >>> 3));
      if (!Double.isFinite(sumAbs)) {
        Finite.require(tensor, src, srcOff, n);
      }
      LittleEndian.putFloat(dst, dstOff + 4 * k, len == 0 ? 0f : (float) (sumAbs / len));
    }
    return 4 * scales + (int) ((n + 7L) >>> 3);
  }

  @Override
  public void decode(byte[] src, int srcOff, int srcLen, float[] dst, int dstOff, int n) {
    Codecs.requireLength(this, srcLen, n);
    int scales = scales(n);
    int bitsAt = srcOff + 4 * scales;
    int chunkLength = chunk == 0 ? n : chunk;
    for (int k = 0; k < scales; k++) {
      float alpha = SignBits.readScale(src, srcOff + 4 * k, this, k);
      int from = k * chunkLength;
      SignBits.unpackSigns(src, bitsAt + (from >>> 3), alpha, dst, dstOff + from, Math.min(chunkLength, n - from));
    }
  }
}
