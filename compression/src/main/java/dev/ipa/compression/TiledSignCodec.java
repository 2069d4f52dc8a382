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

  /**
   * Encodes in groups of 8 tile positions: for each group, the 8 running sums stay in registers while the loop
   * walks the P chunks, and each chunk's |x| goes to that chunk's accumulator. Groups the shorter last chunk
   * cuts through take {@link #slowGroup}. Sums add the chunks in order c = 0, 1, ..., starting from +0, exactly
   * as the definition reads, so a naive reference reproduces every tile bit.
   */
  @Override
  public int encode(String tensor, float[] src, int srcOff, int n, byte[] dst, int dstOff) {
    int m = tileLength(n);
    int bitsAt = dstOff + 4 * tiles;
    int fullChunks = m == 0 ? 0 : n / m;
    int partial = m == 0 ? 0 : n - fullChunks * m;
    float[] absSums = new float[tiles];
    double[] absTotals = new double[tiles];
    int groups = (m + 7) >>> 3;
    for (int g = 0; g < groups; g++) {
      int j = g << 3;
      boolean partialIsFull = j + 8 <= partial;
      if (j + 8 > m || (j < partial && !partialIsFull)) {
        dst[bitsAt + g] = slowGroup(src, srcOff, n, m, j, absSums);
      } else {
        int chunks = fullChunks + (partialIsFull ? 1 : 0);
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        for (int c = 0, at = srcOff + j; c < chunks; c++, at += m) {
          float v0 = src[at];
          float v1 = src[at + 1];
          float v2 = src[at + 2];
          float v3 = src[at + 3];
          float v4 = src[at + 4];
          float v5 = src[at + 5];
          float v6 = src[at + 6];
          float v7 = src[at + 7];
          s0 += v0;
          s1 += v1;
          s2 += v2;
          s3 += v3;
          s4 += v4;
          s5 += v5;
          s6 += v6;
          s7 += v7;
          absSums[c] += ((Math.abs(v0) + Math.abs(v1)) + (Math.abs(v2) + Math.abs(v3)))
              + ((Math.abs(v4) + Math.abs(v5)) + (Math.abs(v6) + Math.abs(v7)));
        }
        dst[bitsAt + g] = (byte) ((s0 < 0f ? 1 : 0) | (s1 < 0f ? 2 : 0) | (s2 < 0f ? 4 : 0) | (s3 < 0f ? 8 : 0)
            | (s4 < 0f ? 16 : 0) | (s5 < 0f ? 32 : 0) | (s6 < 0f ? 64 : 0) | (s7 < 0f ? 128 : 0));
      }
      if ((g & 127) == 127) {
        flush(absSums, absTotals);
      }
    }
    flush(absSums, absTotals);
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
    return 4 * tiles + groups;
  }

  /** Tile byte for positions [j, min(j + 8, m)), one value at a time, skipping indices past n. */
  private byte slowGroup(float[] src, int srcOff, int n, int m, int j, float[] absSums) {
    int bits = 0;
    for (int k = 0; k < 8 && j + k < m; k++) {
      float sum = 0f;
      for (int c = 0; c < tiles; c++) {
        long index = (long) c * m + j + k;
        if (index < n) {
          float v = src[srcOff + (int) index];
          sum += v;
          absSums[c] += Math.abs(v);
        }
      }
      bits |= (int) SignBits.signBit(sum) << k;
    }
    return (byte) bits;
  }

  private static void flush(float[] absSums, double[] absTotals) {
    for (int c = 0; c < absSums.length; c++) {
      absTotals[c] += absSums[c];
      absSums[c] = 0;
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
