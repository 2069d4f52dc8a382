package dev.ipa.compression;

/**
 * A delta applies to a base view that this {@link SnapshotDecoder} does not hold (it missed a message, restarted,
 * or never saw a full snapshot). The decoder's view is left untouched; the caller should ask the sender for a
 * full snapshot ({@link SnapshotEncoder#requestFullResync()} on the sending side).
 */
public final class BaseMismatchException extends CompressionException {
  private static final long serialVersionUID = 1L;
  private final long expectedBase;
  private final long heldVersion;

  public BaseMismatchException(String message, long expectedBase, long heldVersion) {
    super(message);
    this.expectedBase = expectedBase;
    this.heldVersion = heldVersion;
  }

  /** The base version the rejected delta names. */
  public long expectedBase() {
    return expectedBase;
  }

  /** The version this receiver holds (0 when it holds no view). */
  public long heldVersion() {
    return heldVersion;
  }
}
