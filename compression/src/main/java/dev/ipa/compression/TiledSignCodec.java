package dev.ipa.compression;

/**
 * {@code tile:P}: the weight tiling of Gorbett et al., "Tiled Bit Networks: Sub-Bit Neural Network Compression
 * Through Reuse of Learnable Binary Vectors" (CIKM 2024), used here as a lossy codec for parameter updates.
 * The n values are cut into P chunks of length m = ceil(n/P); the chunks are summed elementwise and the sign of
 * the sum is one tile of m bits. Each chunk keeps its own scale α_c = mean|x| over that chunk. Decoding repeats
 * the tile P times, scaling copy c by α_c:
 *
 * <pre>
 *   x  = [ chunk 0 (m) | chunk 1 (m) | ... | chunk P-1 (m or shorter) ]
 *   tile[j]   = sign( Σ_c x[c·m + j] )           over the chunks that have an index j
 *   x̂[c·m + j] = α_c · tile[j]
 * </pre>
 *
 * <b>Remainder rule</b> (P does not divide n): chunks have length m = ceil(n/P) except the last non-empty one,
 * which is shorter; chunks that start at or past n are empty and get α = 0. The tile always has m bits; tile bit
 * j sums only the chunks that reach j. Example: n = 10, P = 4 gives m = 3 and chunks [0,3) [3,6) [6,9) [9,10).
 * Sign of zero: a zero sum encodes as +1 (bit 0), as in {@link SignCodec}.
 *
 * <pre>
 *   byte 0                     4P                               4P + ceil(m/8)
 *        +------+------+-- .. --+--------+--------+-- .. --+------+
 *        | α_0  | α_1  |        | word 0 | word 1 |        | tail |
 *        +------+------+-- .. --+--------+--------+-- .. --+------+
 *          P f32 LE scales        tile bits: u64 LE, bit t of word w = tile[64w + t], 1 = negative
 * </pre>
 *
 * Size: 4P + ceil(m/8) = 4P + ceil(n/(8P)) bytes, exactly (ceil(ceil(n/P)/8) = ceil(n/(8P)) for integers).
 */
public final class TiledSignCodec implements Codec {
  private final int tiles;
  private final CodecSpec spec;

  TiledSignCodec(int tiles) {
    this.spec = CodecSpec.tile(tiles);
    this.tiles = tiles;
  }

  @Override
  public CodecSpec spec() {
    return spec;
  }

  @Override
  public boolean fixedSize() {
    return true;
  }

  /** Chunk and tile length m = ceil(n/P). */
  int tileLength(int n) {
    return (int) ((n + (long) tiles - 1) / tiles);
  }

  /** Length of chunk c for n values under the remainder rule. */
  static int chunkLength(int n, int m, int c) {
    long start = (long) c * m;
    return (int) Math.max(0, Math.min(m, n - start));
  }

  @Override
  public int maxEncodedSize(int n) {
    return Math.addExact(4 * tiles, (tileLength(n) + 7) >>> 3);
  }

  @Override
  public int encode(String tensor, float[] src, int srcOff, int n, byte[] dst, int dstOff) {
    int m = tileLength(n);
    int bitsAt = dstOff + 4 * tiles;
    float[] sums = new float[64];
    float[] absLanes = new float[64 * tiles];
    double[] absTotals = new double[tiles];
    int blocks = (m + 63) >>> 6;
    for (int b = 0; b < blocks; b++) {
      int j0 = b << 6;
      int blockLength = Math.min(64, m - j0);
      java.util.Arrays.fill(sums, 0f);
      for (int c = 0; c < tiles; c++) {
        int start = c * m + j0;
        int count = Math.min(blockLength, n - start);
        if (count <= 0) {
          break; // this chunk and every later one end before j0
        }
        int base = srcOff + start;
        int lane = c << 6;
        for (int t = 0; t < count; t++) {
          float v = src[base + t];
          sums[t] += v;
          absLanes[lane + t] += Math.abs(v);
        }
      }
      long bits = 0;
      for (int t = 0; t < blockLength; t++) {
        bits |= SignBits.signBit(sums[t]) << t;
      }
      if (blockLength == 64) {
        LittleEndian.putLong(dst, bitsAt + 8 * b, bits);
      } else {
        LittleEndian.putPartialLong(dst, bitsAt + 8 * b, bits, (blockLength + 7) >>> 3);
      }
      if ((b & 63) == 63) {
        flush(absLanes, absTotals);
      }
    }
    flush(absLanes, absTotals);
    double all = 0;
    for (double total : absTotals) {
      all += total;
    }
    if (!Double.isFinite(all)) {
      Finite.require(tensor, src, srcOff, n);
    }
    for (int c = 0; c < tiles; c++) {
      int len = chunkLength(n, m, c);
      LittleEndian.putFloat(dst, dstOff + 4 * c, len == 0 ? 0f : (float) (absTotals[c] / len));
    }
    return 4 * tiles + ((m + 7) >>> 3);
  }

  private void flush(float[] absLanes, double[] absTotals) {
    for (int c = 0; c < tiles; c++) {
      double sum = 0;
      for (int t = 0; t < 64; t++) {
        sum += absLanes[(c << 6) + t];
        absLanes[(c << 6) + t] = 0;
      }
      absTotals[c] += sum;
    }
  }

  @Override
  public void decode(byte[] src, int srcOff, int srcLen, float[] dst, int dstOff, int n) {
    Codecs.requireLength(this, srcLen, n);
    int m = tileLength(n);
    int bitsAt = srcOff + 4 * tiles;
    for (int c = 0; c < tiles; c++) {
      float alpha = SignBits.readScale(src, srcOff + 4 * c, this, c);
      int len = chunkLength(n, m, c);
      if (len > 0) {
        SignBits.unpackSigns(src, bitsAt, alpha, dst, dstOff + c * m, len);
      }
    }
  }
}
