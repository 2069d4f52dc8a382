package dev.ipa.alignment.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * θ*, the set of every peer's parameters that travels around the ring in the IPA paper's Algorithm 1, and its
 * wire form. Little-endian:
 *
 * <pre>
 *   0   4  magic "IPAR"
 *   4   4  peers N
 *   8   4  parameters per peer P
 *  12  4·N    |D_0| … |D_{N−1}|, each peer's training-set size (0 until that peer has held θ*), int32
 *  12+4N  4·N·P  θ_0 … θ_{N−1}, float32, in federation peer order
 *  end 4  CRC32C of everything before it
 * </pre>
 *
 * Pure data; not thread-safe.
 */
public final class RingState {
  private static final int MAGIC = 'I' | 'P' << 8 | 'A' << 16 | 'R' << 24;

  private RingState() {}

  /** Encodes the N parameter vectors. */
  public static byte[] encode(float[][] thetas, int[] sizes) {
    int n = thetas.length;
    int p = thetas[0].length;
    int head = 12 + 4 * n;
    ByteBuffer b = ByteBuffer.allocate(head + 4 * n * p + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC).putInt(n).putInt(p);
    for (int s : sizes) b.putInt(s);
    for (float[] t : thetas) {
      b.asFloatBuffer().put(t);
      b.position(b.position() + 4 * p);
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, head + 4 * n * p);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** Whether a payload is a ring state rather than a compression-module snapshot. */
  public static boolean isRingState(byte[] payload) {
    return payload.length >= 16 && ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == MAGIC;
  }

  /** Decodes and checks a ring state for {@code peers} peers of {@code params} parameters; fills {@code sizes}. */
  public static float[][] decode(byte[] payload, int peers, int params, int[] sizes) {
    ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    if (!isRingState(payload)) throw new IllegalArgumentException("Not a ring state: wrong magic.");
    int n = b.getInt(4);
    int p = b.getInt(8);
    if (n != peers || p != params) {
      throw new IllegalArgumentException("The ring state holds " + n + " peers × " + p + " parameters but this federation has " + peers + " × " + params + ".");
    }
    if (payload.length != 12 + 4L * n + 4L * n * p + 4) throw new IllegalArgumentException("The ring state is truncated: " + payload.length + " bytes for " + n + " × " + p + " parameters.");
    CRC32C crc = new CRC32C();
    crc.update(payload, 0, payload.length - 4);
    if ((int) crc.getValue() != b.getInt(payload.length - 4)) throw new IllegalArgumentException("The ring state's checksum does not match; it was corrupted in transit.");
    float[][] out = new float[n][p];
    b.position(12);
    for (int i = 0; i < n; i++) sizes[i] = b.getInt();
    for (int i = 0; i < n; i++) {
      b.asFloatBuffer().get(out[i]);
      b.position(b.position() + 4 * p);
    }
    return out;
  }
}
