package dev.ipa.compression;

/**
 * Base of every failure this module reports about data (as opposed to configuration, which fails with
 * {@link IllegalArgumentException}). Callers react by type, never by message:
 *
 * <ul>
 *   <li>{@link BaseMismatchException}: a delta names a base this receiver does not hold; ask the sender for a
 *       full snapshot.
 *   <li>{@link CorruptSnapshotException}: the message is damaged, truncated, or built for another layout; drop
 *       it and ask for a full snapshot.
 *   <li>{@link NonFiniteValueException}: the caller tried to encode NaN or ±Inf; a local bug, not retryable.
 * </ul>
 *
 * <p>Unchecked so codecs compose with streams and lambdas, but every method that throws one declares it.
 */
public class CompressionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CompressionException(String message) {
    super(message);
  }
}
