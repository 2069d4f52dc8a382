package dev.ipa.alignment.model;

/**
 * One named tensor inside a model's flat parameter vector.
 *
 * @param name   e.g. {@code dense1.W}
 * @param offset first index in the flat vector
 * @param shape  the tensor's logical shape (row-major)
 * @param weight true for a weight matrix or kernel, false for a bias
 */
public record ParamTensor(String name, int offset, int[] shape, boolean weight) {
  public int length() {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }
}
