package dev.ipa.compression;

/**
 * An encoded message or payload is damaged, truncated, carries values a codec can never produce, or was built
 * for a different {@link TensorLayout}. Nothing is applied; the receiver's view is left untouched.
 */
public final class CorruptSnapshotException extends CompressionException {
  private static final long serialVersionUID = 1L;

  public CorruptSnapshotException(String message) {
    super(message);
  }
}
