package dev.ipa.alignment.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What network to build, independent of any weights: the family, the input shape taken from the data, the
 * number of classes, and the hidden sizes.
 *
 * <p>Three families exist. {@code linear} is multinomial logistic regression: one dense layer from the inputs to
 * the classes' logits, trained on the same softmax cross-entropy. {@code mlp} is the IPA paper's fully connected
 * net (default hidden sizes 200, 200, so 784-200-200-10 on Fashion-MNIST). {@code cnn} is a small convolutional net: conv 5×5 (16) → max-pool 2 →
 * conv 5×5 (32) → max-pool 2 → dense (128) → dense (classes), all ReLU, "same" padding.
 *
 * @param family   {@code linear}, {@code mlp} or {@code cnn}
 * @param channels input channels (1 for IDX and grey images, 3 for RGB)
 * @param rows     input rows
 * @param cols     input columns
 * @param classes  number of output classes, 2..256
 * @param hidden   hidden layer widths (for {@code cnn}: the conv filter counts then the dense width)
 */
public record Architecture(String family, int channels, int rows, int cols, int classes, List<Integer> hidden) {

  public Architecture {
    Objects.requireNonNull(family, "family");
    if (!family.equals("mlp") && !family.equals("cnn") && !family.equals("linear")) {
      throw new IllegalArgumentException("Unknown model '" + family + "'; use linear, mlp, mlp:H1,H2,... (hidden layer sizes, e.g. mlp:200,200) or cnn.");
    }
    if (channels < 1 || rows < 1 || cols < 1) {
      throw new IllegalArgumentException("The input shape must be positive, got " + channels + "x" + rows + "x" + cols + ".");
    }
    if (classes < 2 || classes > 256) {
      throw new IllegalArgumentException("A model needs between 2 and 256 classes, got " + classes + ".");
    }
    hidden = List.copyOf(hidden);
    for (int h : hidden) {
      if (h < 1) throw new IllegalArgumentException("Hidden layer sizes must be ≥ 1, got " + hidden + ".");
    }
    if (family.equals("linear") && !hidden.isEmpty()) {
      throw new IllegalArgumentException("A linear model has no hidden layers, got " + hidden + "; write linear, or mlp:" + hidden.get(0) + " for one hidden layer.");
    }
    if (family.equals("cnn") && hidden.size() != 3) {
      throw new IllegalArgumentException("A cnn takes three sizes (conv1 filters, conv2 filters, dense width), got " + hidden + ".");
    }
    if (family.equals("cnn") && (rows % 4 != 0 || cols % 4 != 0)) {
      throw new IllegalArgumentException("The cnn pools twice by 2, so image sides must be multiples of 4, got " + rows + "x" + cols + ".");
    }
  }

  /**
   * Parses {@code linear}, {@code mlp}, {@code mlp:300,100}, {@code cnn} or {@code cnn:16,32,128} for data of the
   * given shape.
   */
  public static Architecture parse(String spec, int channels, int rows, int cols, int classes) {
    String s = spec.trim().toLowerCase(Locale.ROOT);
    String family = s.contains(":") ? s.substring(0, s.indexOf(':')) : s;
    List<Integer> hidden = new ArrayList<>();
    if (s.contains(":")) {
      for (String part : s.substring(s.indexOf(':') + 1).split(",")) {
        try {
          hidden.add(Integer.parseInt(part.trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("Bad layer size '" + part + "' in model '" + spec + "'; write e.g. mlp:200,200.");
        }
      }
    } else if (family.equals("mlp")) {
      hidden = List.of(200, 200);
    } else if (family.equals("cnn")) {
      hidden = List.of(16, 32, 128);
    }
    return new Architecture(family, channels, rows, cols, classes, hidden);
  }

  /** Whether the net starts with convolutions (cnn), which need the image's channels, rows and columns. */
  public boolean convolutional() {
    return family.equals("cnn");
  }

  /** Input values per sample. */
  public int inputSize() {
    return channels * rows * cols;
  }

  /** A short human-readable name, e.g. {@code mlp 784-200-200-10} or {@code linear 784-10}. */
  public String describe() {
    if (family.equals("linear")) return "linear " + inputSize() + "-" + classes;
    if (family.equals("mlp")) {
      StringBuilder b = new StringBuilder("mlp ").append(inputSize());
      hidden.forEach(h -> b.append('-').append(h));
      return b.append('-').append(classes).toString();
    }
    return "cnn " + channels + "x" + rows + "x" + cols + " conv" + hidden.get(0) + "-conv" + hidden.get(1) + "-" + hidden.get(2) + "-" + classes;
  }
}
