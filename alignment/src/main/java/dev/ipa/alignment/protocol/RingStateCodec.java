package dev.ipa.alignment.protocol;

import dev.ipa.compression.CorruptSnapshotException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The wire form of a {@link RingState}, the payload of a {@link dev.ipa.transport.PeerSnapshot} of kind
 * {@code RING_STATE}. Little-endian:
 *
 * <pre>
 *   0      4      magic "IPAR"
 *   4      4      peers N
 *   8      4      parameters per peer P
 *  12      4·N    |D_0| … |D_{N−1}|, each peer's training-set size (0 until that peer has held θ*), int32
 *  12+4N   4·N·P  θ_0 … θ_{N−1}, float32, in federation peer order
 *  end     4      CRC32C of everything before it
 * </pre>
 *
 * A payload that does not decode into the state this federation expects raises
 * {@link CorruptSnapshotException}, which the ring protocol records as a {@link PeerFailure}. Pure functions;
 * thread-safe.
 */
public final class RingStateCodec {
  private static final int MAGIC = 'I' | 'P' << 8 | 'A' << 16 | 'R' << 24;
  private static final int HEADER = 12;

  private RingStateCodec() {}

  /** The exact encoded size of a state of {@code peers} × {@code params}. */
  public static long encodedSize(int peers, int params) {
    return HEADER + 4L * peers + 4L * peers * params + 4;
  }

  public static byte[] encode(RingState state) {
    float[][] thetas = state.params();
    int n = thetas.length;
    int p = thetas[0].length;
    int head = HEADER + 4 * n;
    ByteBuffer b = ByteBuffer.allocate(head + 4 * n * p + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(MAGIC).putInt(n).putInt(p);
    for (int s : state.sizes()) b.putInt(s);
    for (float[] t : thetas) {
      b.asFloatBuffer().put(t);
      b.position(b.position() + 4 * p);
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, head + 4 * n * p);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /**
   * Decodes and checks a ring state for a federation of {@code peers} peers of {@code params} parameters.
   *
   * @throws CorruptSnapshotException if the magic, the peer or parameter count, the length or the checksum is wrong
   */
  public static RingState decode(byte[] payload, int peers, int params) throws CorruptSnapshotException {
    ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    if (payload.length < HEADER + 4 || b.getInt(0) != MAGIC) throw new CorruptSnapshotException("This is not a ring state: its magic is wrong.");
    int n = b.getInt(4);
    int p = b.getInt(8);
    if (n != peers || p != params) {
      throw new CorruptSnapshotException("The ring state holds " + n + " peers × " + p + " parameters but this federation has " + peers + " × " + params + ".");
    }
    if (payload.length != encodedSize(n, p)) {
      throw new CorruptSnapshotException("The ring state is truncated: " + payload.length + " bytes for " + n + " × " + p + " parameters.");
    }
    CRC32C crc = new CRC32C();
    crc.update(payload, 0, payload.length - 4);
    if ((int) crc.getValue() != b.getInt(payload.length - 4)) {
      throw new CorruptSnapshotException("The ring state's checksum does not match; it was corrupted in transit.");
    }
    int[] sizes = new int[n];
    float[][] out = new float[n][p];
    b.position(HEADER);
    for (int i = 0; i < n; i++) sizes[i] = b.getInt();
    for (int i = 0; i < n; i++) {
      b.asFloatBuffer().get(out[i]);
      b.position(b.position() + 4 * p);
    }
    return new RingState(out, sizes);
  }
}
