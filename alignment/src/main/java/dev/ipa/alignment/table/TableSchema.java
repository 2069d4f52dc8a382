package dev.ipa.alignment.table;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The preprocessing a federation agrees on for a table: which columns feed the model, how each is encoded, and
 * the label's classes. Every peer encodes its rows with the same schema, so input {@code j} means the same
 * thing on every peer. It is pooled from the peers' {@link TableStatistics} before round 0, or read from a
 * file ({@code --schema}), and its {@link #hash()} enters the model fingerprint.
 *
 * <p>The encoded feature vector, in this order (the ONNX exporter rebuilds exactly this):
 * <pre>
 * for each column c in columns(), in order:
 *   NUMERIC:      (x - c.mean) / c.sd          x missing: 0 (the mean, standardised)
 *                 [1 if x is missing else 0]   only when c.missingIndicator
 *   CATEGORICAL:  one input per c.categories[k], 1 where x equals it, else 0
 *                 one last input "unknown":   1 when x is missing or not in c.categories
 * label: the index of its value in classes()
 * </pre>
 *
 * <p>Immutable and thread-safe: a plain value that can be written ({@link SchemaJson}), hashed and compared.
 *
 * @param columns the feature columns in file order (the label, ignored columns and a partition column are not
 *                among them)
 * @param label   the label column's name
 * @param classes the label's values, sorted ({@link Values#sorted}); class {@code i} is {@code classes.get(i)}
 */
public record TableSchema(List<Column> columns, String label, List<String> classes) {

  /** How a column is encoded. */
  public enum ColumnType { NUMERIC, CATEGORICAL }

  /**
   * One feature column.
   *
   * @param name             the header name
   * @param type             numeric (standardised) or categorical (one-hot)
   * @param mean             pooled mean of the non-missing values; 0 for a categorical column
   * @param sd               the divisor: the pooled population standard deviation, or 1 when it is 0 (a constant
   *                         column) or the column is categorical
   * @param missingIndicator whether a numeric column gets a 0/1 "was missing" input (some training row lacked
   *                         it); always false for a categorical column, whose "unknown" input covers missing values
   * @param categories       a categorical column's values, sorted; empty for a numeric column
   */
  public record Column(String name, ColumnType type, double mean, double sd, boolean missingIndicator,
                       List<String> categories) {
    public Column {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      categories = List.copyOf(categories);
      if (!Double.isFinite(mean) || !Double.isFinite(sd) || sd <= 0) {
        throw new IllegalArgumentException("Column " + name + " needs a finite mean and a positive finite sd, got mean "
            + mean + " and sd " + sd + ".");
      }
      if (type == ColumnType.CATEGORICAL && (missingIndicator || mean != 0 || sd != 1)) {
        throw new IllegalArgumentException("Categorical column " + name + " takes mean 0, sd 1 and no missing indicator.");
      }
      if (type == ColumnType.NUMERIC && !categories.isEmpty()) {
        throw new IllegalArgumentException("Numeric column " + name + " cannot have categories.");
      }
      if (!Values.sorted(categories).equals(categories) || new HashSet<>(categories).size() != categories.size()) {
        throw new IllegalArgumentException("The categories of column " + name + " must be distinct and sorted, got " + categories + ".");
      }
    }

    /** A numeric column. */
    public static Column numeric(String name, double mean, double sd, boolean missingIndicator) {
      return new Column(name, ColumnType.NUMERIC, mean, sd, missingIndicator, List.of());
    }

    /** A categorical column. */
    public static Column categorical(String name, List<String> categories) {
      return new Column(name, ColumnType.CATEGORICAL, 0, 1, false, categories);
    }

    /** How many inputs this column takes in the encoded vector. */
    public int width() {
      return type == ColumnType.NUMERIC ? (missingIndicator ? 2 : 1) : categories.size() + 1;
    }
  }

  public TableSchema {
    columns = List.copyOf(columns);
    Objects.requireNonNull(label, "label");
    classes = List.copyOf(classes);
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("A table needs at least one feature column besides the label " + label + ".");
    }
    if (classes.size() < 2) {
      throw new IllegalArgumentException("The label column " + label + " has " + classes.size()
          + " class" + (classes.size() == 1 ? " (" + classes.get(0) + ")" : "es") + "; a classifier needs at least two.");
    }
    if (!Values.sorted(classes).equals(classes) || new HashSet<>(classes).size() != classes.size()) {
      throw new IllegalArgumentException("The classes of " + label + " must be distinct and sorted, got " + classes + ".");
    }
    var names = new HashSet<String>();
    for (Column c : columns) {
      if (!names.add(c.name()) || c.name().equals(label)) {
        throw new IllegalArgumentException("Column " + c.name() + " appears twice in the schema.");
      }
    }
  }

  /** Length of the encoded feature vector. */
  public int encodedWidth() {
    int w = 0;
    for (Column c : columns) w += c.width();
    return w;
  }

  /**
   * Names of the encoded inputs in order: {@code age}, {@code age=missing}, {@code colour=blue},
   * {@code colour=unknown}, ...
   */
  public List<String> featureNames() {
    List<String> out = new ArrayList<>(encodedWidth());
    for (Column c : columns) {
      if (c.type() == ColumnType.NUMERIC) {
        out.add(c.name());
        if (c.missingIndicator()) out.add(c.name() + "=missing");
      } else {
        for (String v : c.categories()) out.add(c.name() + "=" + v);
        out.add(c.name() + "=unknown");
      }
    }
    return out;
  }

  /** The column named {@code name}, if it is a feature. */
  public Optional<Column> column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** SHA-256 of the canonical JSON ({@link SchemaJson#write}), in hex: equal schemas, equal hashes. */
  public String hash() {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(SchemaJson.write(this).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("The JDK lacks SHA-256.", e);
    }
  }

  /**
   * The first way {@code other} differs from this schema, as a sentence naming the column, or empty when they
   * are equal. Used to refuse a peer whose schema differs.
   */
  public Optional<String> firstDifference(TableSchema other) {
    if (!label.equals(other.label)) {
      return Optional.of("the label column is " + label + " here but " + other.label + " there");
    }
    int n = Math.min(columns.size(), other.columns.size());
    for (int i = 0; i < n; i++) {
      Column a = columns.get(i);
      Column b = other.columns.get(i);
      if (!a.equals(b)) {
        if (!a.name().equals(b.name())) {
          return Optional.of("feature column " + (i + 1) + " is " + a.name() + " here but " + b.name() + " there");
        }
        String what = a.type() != b.type() ? "is " + a.type() + " here but " + b.type() + " there"
            : !a.categories().equals(b.categories()) ? "has categories " + a.categories() + " here but " + b.categories() + " there"
            : a.missingIndicator() != b.missingIndicator() ? "has a missing indicator on one side only"
            : "has mean " + a.mean() + ", sd " + a.sd() + " here but mean " + b.mean() + ", sd " + b.sd() + " there";
        return Optional.of("column " + a.name() + " " + what);
      }
    }
    if (columns.size() != other.columns.size()) {
      List<Column> longer = columns.size() > n ? columns : other.columns;
      return Optional.of("column " + longer.get(n).name() + " exists on one side only");
    }
    if (!classes.equals(other.classes)) {
      return Optional.of("the label " + label + " has classes " + classes + " here but " + other.classes + " there");
    }
    return Optional.empty();
  }
}
