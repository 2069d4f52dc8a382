package dev.ipa.compression;

/**
 * A value handed to an encoder is NaN or ±Infinity. The message names the tensor and the index inside it, so a
 * diverged training step can be traced to the layer that produced it. Nothing is encoded and no state changes.
 */
public final class NonFiniteValueException extends CompressionException {
  private static final long serialVersionUID = 1L;
  private final String tensor;
  private final int index;

  public NonFiniteValueException(String tensor, int index, float value) {
    super("Tensor '" + tensor + "' holds " + value + " at index " + index + ", and only finite values can be encoded.");
    this.tensor = tensor;
    this.index = index;
  }

  /** Name of the offending tensor. */
  public String tensor() {
    return tensor;
  }

  /** Index of the first non-finite value, relative to the start of the tensor. */
  public int index() {
    return index;
  }
}
