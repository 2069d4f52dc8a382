package dev.ipa.compression;

import java.util.zip.CRC32C;

/**
 * The message framing shared by {@link SnapshotEncoder} and {@link SnapshotDecoder}. All fields little-endian.
 *
 * <pre>
 *  offset  size  field
 *   0      4     magic, the ASCII bytes "IPAS"
 *   4      1     format version = 1
 *   5      1     kind: 1 = FULL, 2 = DELTA
 *   6      2     reserved, 0
 *   8      4     round the sender encoded this in (i32)
 *  12      4     round of the base view (i32; -1 for FULL), for error messages only
 *  16      8     base version: ViewHash of the view a DELTA applies to (0 for FULL)
 *  24      8     new version: ViewHash of the view after applying this message
 *  32      8     layout fingerprint ({@link TensorLayout#fingerprint()})
 *  40      4     tensor count T (u32), must equal the layout's
 *  44      13·T  tensor table, in layout order, one entry per tensor:
 *                  +0 u8 codec id   +1 u32 codec parameter   +5 u32 n   +9 u32 payload length
 *  44+13T  Σ len payloads, concatenated in table order (layouts in each codec's Javadoc)
 *  end-4   4     CRC32C (Castagnoli) of every byte before it
 * </pre>
 *
 * Total = 48 + 13·T + Σ payload lengths, exactly.
 *
 * <p>Public for one purpose: {@link #header(byte[])} tells a receiver what a message is (full or delta, and
 * which base it needs) before it decodes anything, so no other module reads these bytes itself. Writing and
 * full parsing stay with the encoder and decoder. Stateless; safe from any thread.
 */
public final class SnapshotFormat {
  static final int MAGIC = 'I' | 'P' << 8 | 'A' << 16 | 'S' << 24;
  static final int FORMAT_VERSION = 1;
  static final int HEADER_BYTES = 44;
  static final int ENTRY_BYTES = 13;
  static final int CHECKSUM_BYTES = 4;

  private SnapshotFormat() {}

  /** Offset of the first payload for a message of {@code tensors} tensors. */
  static int payloadsStart(int tensors) {
    return HEADER_BYTES + ENTRY_BYTES * tensors;
  }

  static void writeHeader(byte[] b, SnapshotKind kind, int round, int baseRound, long baseVersion, long version,
      long fingerprint, int tensors) {
    LittleEndian.putInt(b, 0, MAGIC);
    b[4] = (byte) FORMAT_VERSION;
    b[5] = (byte) kind.wireId();
    LittleEndian.putShort(b, 6, 0);
    LittleEndian.putInt(b, 8, round);
    LittleEndian.putInt(b, 12, baseRound);
    LittleEndian.putLong(b, 16, baseVersion);
    LittleEndian.putLong(b, 24, version);
    LittleEndian.putLong(b, 32, fingerprint);
    LittleEndian.putInt(b, 40, tensors);
  }

  static void writeEntry(byte[] b, int index, CodecSpec codec, int n, int payloadLength) {
    int at = HEADER_BYTES + ENTRY_BYTES * index;
    b[at] = (byte) codec.kind().wireId();
    LittleEndian.putInt(b, at + 1, codec.wireParameter());
    LittleEndian.putInt(b, at + 5, n);
    LittleEndian.putInt(b, at + 9, payloadLength);
  }

  /** Appends the checksum of {@code b[0, length)} and returns the message length. */
  static int seal(byte[] b, int length) {
    LittleEndian.putInt(b, length, crc(b, length));
    return length + CHECKSUM_BYTES;
  }

  private static int crc(byte[] b, int length) {
    CRC32C crc = new CRC32C();
    crc.update(b, 0, length);
    return (int) crc.getValue();
  }

  /**
   * What a receiver needs to know about a message before decoding it. Immutable.
   *
   * @param kind        full snapshot (applies to any base) or delta
   * @param round       round the sender encoded it in
   * @param baseRound   round of the base view a delta applies to; -1 for a full snapshot
   * @param baseVersion {@link ViewHash} of the view a delta applies to; 0 for a full snapshot
   * @param version     {@link ViewHash} of the receiver's view after applying it
   */
  public record Header(SnapshotKind kind, int round, int baseRound, long baseVersion, long version) {
    /** Whether the message replaces the receiver's view, whatever it held. */
    public boolean isFull() {
      return kind == SnapshotKind.FULL;
    }
  }

  /**
   * Reads the fixed header of an encoded snapshot without decoding its payloads. It checks the length, magic,
   * format version, kind and reserved bits, but not the checksum or the tensor table (that costs a pass over the
   * whole message, and {@link SnapshotDecoder#apply} does it anyway), so a message whose header is intact but
   * whose body is damaged passes here and is rejected by the decoder.
   *
   * @throws CorruptSnapshotException if the message is null, shorter than an empty snapshot, not a snapshot
   *     (foreign magic), of another format version, or of an unknown kind
   */
  public static Header header(byte[] message) {
    requireFraming(message);
    SnapshotKind kind = requireKind(message);
    return new Header(kind, LittleEndian.getInt(message, 8), LittleEndian.getInt(message, 12),
        LittleEndian.getLong(message, 16), LittleEndian.getLong(message, 24));
  }

  /** A checked, parsed message. Payload i occupies {@code [payloadOffsets[i], payloadOffsets[i] + lengths[i])}. */
  record Parsed(SnapshotKind kind, int round, int baseRound, long baseVersion, long version, CodecSpec[] codecs,
      int[] payloadOffsets, int[] payloadLengths) {}

  /**
   * Checks framing, checksum and that the message fits the layout, in that order.
   *
   * @throws CorruptSnapshotException with a sentence saying what is wrong
   */
  static Parsed parse(byte[] m, TensorLayout layout, long fingerprint) {
    requireFraming(m);
    int body = m.length - CHECKSUM_BYTES;
    int stored = LittleEndian.getInt(m, body);
    if (stored != crc(m, body)) {
      throw new CorruptSnapshotException("The snapshot checksum does not match, so the " + m.length
          + "-byte message is corrupt or truncated.");
    }
    SnapshotKind kind = requireKind(m);
    if (LittleEndian.getLong(m, 32) != fingerprint) {
      throw new CorruptSnapshotException("The message was encoded for a different tensor layout (fingerprint "
          + Long.toHexString(LittleEndian.getLong(m, 32)) + ", this receiver's is " + Long.toHexString(fingerprint)
          + ").");
    }
    int count = LittleEndian.getInt(m, 40);
    if (count != layout.size()) {
      throw new CorruptSnapshotException("The message carries " + Integer.toUnsignedString(count)
          + " tensors, but the layout has " + layout.size() + ".");
    }
    long at = payloadsStart(count);
    if (at > body) {
      throw new CorruptSnapshotException("The message is too short to hold its tensor table.");
    }
    var codecs = new CodecSpec[count];
    var offsets = new int[count];
    var lengths = new int[count];
    for (int i = 0; i < count; i++) {
      int entry = HEADER_BYTES + ENTRY_BYTES * i;
      TensorLayout.Tensor tensor = layout.tensor(i);
      codecs[i] = CodecSpec.fromWire(m[entry] & 0xFF, LittleEndian.getInt(m, entry + 1));
      if (codecs[i] == null) {
        throw new CorruptSnapshotException("Tensor '" + tensor.name() + "' names an unknown codec (id "
            + (m[entry] & 0xFF) + ", parameter " + LittleEndian.getInt(m, entry + 1) + ").");
      }
      int n = LittleEndian.getInt(m, entry + 5);
      if (n != tensor.length()) {
        throw new CorruptSnapshotException("Tensor '" + tensor.name() + "' has " + Integer.toUnsignedString(n)
            + " values in the message, but " + tensor.length() + " in the layout.");
      }
      long length = LittleEndian.getInt(m, entry + 9) & 0xFFFFFFFFL;
      if (at + length > body) {
        throw new CorruptSnapshotException("Tensor '" + tensor.name() + "' claims a " + length
            + "-byte payload that runs past the end of the message.");
      }
      offsets[i] = (int) at;
      lengths[i] = (int) length;
      at += length;
    }
    if (at != body) {
      throw new CorruptSnapshotException("The message has " + (body - at) + " bytes after its last payload.");
    }
    return new Parsed(kind, LittleEndian.getInt(m, 8), LittleEndian.getInt(m, 12), LittleEndian.getLong(m, 16),
        LittleEndian.getLong(m, 24), codecs, offsets, lengths);
  }

  /** Length, magic and format version: what makes the bytes a snapshot this build reads. */
  private static void requireFraming(byte[] m) {
    if (m == null) {
      throw new CorruptSnapshotException("A snapshot message must not be null.");
    }
    int minimum = HEADER_BYTES + CHECKSUM_BYTES;
    if (m.length < minimum) {
      throw new CorruptSnapshotException("A snapshot message of " + m.length + " bytes is truncated: even an empty"
          + " one has " + minimum + ".");
    }
    if (LittleEndian.getInt(m, 0) != MAGIC) {
      throw new CorruptSnapshotException("The message does not start with the IPAS magic, so it is not a snapshot.");
    }
    if (m[4] != FORMAT_VERSION) {
      throw new CorruptSnapshotException("The message has snapshot format version " + (m[4] & 0xFF)
          + ", and this build reads only version " + FORMAT_VERSION + ".");
    }
  }

  private static SnapshotKind requireKind(byte[] m) {
    SnapshotKind kind = SnapshotKind.fromWireId(m[5]);
    if (kind == null || LittleEndian.getUnsignedShort(m, 6) != 0) {
      throw new CorruptSnapshotException("The message has an unknown kind " + m[5] + " or non-zero reserved bits.");
    }
    return kind;
  }
}
