package dev.ipa.alignment.quant;

/**
 * A packed model file that cannot be used: truncated, corrupt, of another format version, or describing a model
 * that does not match its own architecture or the data. The message is one sentence for the user.
 */
public final class ModelFileException extends RuntimeException {
  public ModelFileException(String message) {
    super(message);
  }
}
