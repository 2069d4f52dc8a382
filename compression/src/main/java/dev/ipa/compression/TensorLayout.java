package dev.ipa.compression;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * How a model's one flat parameter array splits into named tensors: an ordered list of (name, offset, length,
 * shape) that starts at 0, is contiguous and non-overlapping, and so covers exactly {@link #totalLength()}
 * floats. Immutable and validated on construction; safe to share.
 *
 * <pre>
 *   flat: [ fc1.weight (784·128) | fc1.bias (128) | fc2.weight (128·10) | fc2.bias (10) ]
 *           offset 0               100352           100480                101760        101770 = totalLength
 * </pre>
 *
 * @param tensors the tensors in array order
 */
public record TensorLayout(List<Tensor> tensors) {

  /**
   * One named tensor inside the flat array.
   *
   * @param name   unique, non-blank name, e.g. {@code fc1.weight}
   * @param offset index of its first value in the flat array
   * @param length number of values; equals the product of {@code shape}
   * @param shape  dimensions, each ≥ 0; a copy is kept
   */
  public record Tensor(String name, int offset, int length, int[] shape) {
    public Tensor {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("A tensor needs a non-blank name.");
      }
      if (offset < 0) {
        throw new IllegalArgumentException("Tensor '" + name + "' has negative offset " + offset + ".");
      }
      if (length < 0) {
        throw new IllegalArgumentException("Tensor '" + name + "' has negative length " + length + ".");
      }
      Objects.requireNonNull(shape, "Tensor '" + name + "' needs a shape.");
      shape = shape.clone();
      long product = 1;
      for (int d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException("Tensor '" + name + "' has a negative dimension in shape "
              + Arrays.toString(shape) + ".");
        }
        product = Math.min(product * d, Integer.MAX_VALUE + 1L);
      }
      if (product != length) {
        throw new IllegalArgumentException("Tensor '" + name + "' has shape " + Arrays.toString(shape)
            + " holding " + product + " values, but its length is " + length + ".");
      }
    }

    /** A copy of the shape. */
    @Override
    public int[] shape() {
      return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tensor t && name.equals(t.name) && offset == t.offset && length == t.length
          && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, offset, length, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
      return name + Arrays.toString(shape) + "@" + offset;
    }
  }

  public TensorLayout {
    Objects.requireNonNull(tensors, "A tensor layout needs a list of tensors.");
    tensors = List.copyOf(tensors);
    var names = new HashSet<String>();
    long next = 0;
    for (Tensor t : tensors) {
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("Tensor name '" + t.name() + "' appears twice in the layout.");
      }
      if (t.offset() != next) {
        throw new IllegalArgumentException("Tensor '" + t.name() + "' starts at " + t.offset() + " but the layout"
            + " needs it at " + next + ", so that tensors are contiguous and do not overlap.");
      }
      next += t.length();
      if (next > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("The layout holds more values than one Java array can.");
      }
    }
  }

  /** Starts a layout whose offsets are computed from the order tensors are added. */
  public static Builder builder() {
    return new Builder();
  }

  /** Number of floats the flat parameter array must hold. */
  public int totalLength() {
    if (tensors.isEmpty()) {
      return 0;
    }
    Tensor last = tensors.get(tensors.size() - 1);
    return last.offset() + last.length();
  }

  /** Number of tensors. */
  public int size() {
    return tensors.size();
  }

  /** The i-th tensor. */
  public Tensor tensor(int i) {
    return tensors.get(i);
  }

  /**
   * A 64-bit fingerprint of names and shapes (XXH64 of "name:d0,d1,...;" for every tensor, UTF-8). Sent in every
   * message, so two peers with different models cannot exchange deltas by accident.
   */
  public long fingerprint() {
    var text = new StringBuilder();
    for (Tensor t : tensors) {
      text.append(t.name()).append(':');
      int[] shape = t.shape;
      for (int d = 0; d < shape.length; d++) {
        text.append(d == 0 ? "" : ",").append(shape[d]);
      }
      text.append(';');
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    return ViewHash.ofBytes(bytes, 0, bytes.length);
  }

  /** Throws unless {@code flat} has exactly {@link #totalLength()} values. */
  void requireCovers(float[] flat, String what) {
    Objects.requireNonNull(flat, what + " must not be null.");
    if (flat.length != totalLength()) {
      throw new IllegalArgumentException(what + " has " + flat.length + " values, but the layout covers "
          + totalLength() + ".");
    }
  }

  /** Collects tensors in order, assigning offsets. Not thread-safe; use once. */
  public static final class Builder {
    private final List<Tensor> tensors = new ArrayList<>();
    private int offset;

    private Builder() {}

    /** Appends a tensor of the given shape right after the previous one. */
    public Builder add(String name, int... shape) {
      long product = 1;
      for (int d : shape) {
        product *= Math.max(d, 0);
        if (product > Integer.MAX_VALUE) {
          throw new IllegalArgumentException("Tensor '" + name + "' holds more values than one Java array can.");
        }
      }
      tensors.add(new Tensor(name, offset, (int) product, shape));
      offset += (int) product;
      return this;
    }

    public TensorLayout build() {
      return new TensorLayout(tensors);
    }
  }
}
