package dev.ipa.compression;

/**
 * Turns a run of floats into a payload and back. One codec instance is stateless and immutable, so it is safe
 * to share between threads; the per-stream state (error feedback, versions) lives in {@link SnapshotEncoder}
 * and {@link SnapshotDecoder}.
 *
 * <p>Call order for one tensor: {@link #maxEncodedSize(int)} to size the buffer, {@link #encode} to write the
 * payload, and on the other side {@link #decode} with the payload length the encoder returned. Payloads carry no
 * length or codec id of their own; the snapshot header does.
 *
 * <p>All multi-byte fields are little-endian. Bitmaps are LSB-first: value {@code i} is bit {@code i % 8} of byte
 * {@code i / 8}, which is also bit {@code i % 64} of the little-endian 64-bit word {@code i / 64}.
 */
public interface Codec {

  /** The spec this codec was built from. */
  CodecSpec spec();

  /** True when the payload size depends only on n; false for top-k, whose varint indices depend on the data. */
  boolean fixedSize();

  /** Largest payload for n values; exact for every {@linkplain #fixedSize() fixed-size} codec. */
  int maxEncodedSize(int n);

  /**
   * Exact payload size for n values.
   *
   * @throws UnsupportedOperationException for codecs whose size depends on the data (top-k)
   */
  default int encodedSize(int n) {
    if (!fixedSize()) {
      throw new UnsupportedOperationException(
          "Codec " + spec() + " has a data-dependent size; use maxEncodedSize(n) to size a buffer.");
    }
    return maxEncodedSize(n);
  }

  /**
   * Encodes {@code src[srcOff, srcOff + n)} into {@code dst} at {@code dstOff}.
   *
   * @param tensor name used in error messages only
   * @return the number of bytes written
   * @throws NonFiniteValueException if a value is NaN or infinite; nothing useful is written then
   */
  int encode(String tensor, float[] src, int srcOff, int n, byte[] dst, int dstOff) throws NonFiniteValueException;

  /**
   * Decodes a payload of {@code srcLen} bytes into {@code dst[dstOff, dstOff + n)}, overwriting it.
   *
   * @throws CorruptSnapshotException if the payload length does not fit n, or the payload holds values this
   *     codec never writes (non-finite scales, out-of-range indices)
   */
  void decode(byte[] src, int srcOff, int srcLen, float[] dst, int dstOff, int n) throws CorruptSnapshotException;

  /** Convenience: encodes a whole array into a payload of exactly the encoded length. */
  default byte[] encode(String tensor, float[] values) throws NonFiniteValueException {
    byte[] buffer = new byte[maxEncodedSize(values.length)];
    int written = encode(tensor, values, 0, values.length, buffer, 0);
    return written == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, written);
  }

  /** Convenience: decodes a whole payload into a fresh array of n values. */
  default float[] decode(byte[] payload, int n) throws CorruptSnapshotException {
    float[] out = new float[n];
    decode(payload, 0, payload.length, out, 0, n);
    return out;
  }
}
