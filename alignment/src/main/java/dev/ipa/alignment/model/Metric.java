package dev.ipa.alignment.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A figure of merit of a classifier on a labelled set; higher is better for each. The command line's
 * {@code --metric} picks one to lead the tables and, when given, to drive early stopping.
 */
public enum Metric {
  ACCURACY("accuracy", "acc"),
  BALANCED_ACCURACY("balanced-accuracy", "bal acc"),
  MACRO_F1("macro-f1", "macro-F1"),
  /** Two classes only: NaN otherwise. */
  AUC("auc", "AUC");

  private final String id;
  private final String label;

  Metric(String id, String label) {
    this.id = id;
    this.label = label;
  }

  /** The spelling of the command line and configuration, e.g. {@code macro-f1}. */
  public String id() {
    return id;
  }

  /** A short column heading, e.g. {@code bal acc}. */
  public String label() {
    return label;
  }

  /** This metric of {@code e}. */
  public double of(Evaluation e) {
    return switch (this) {
      case ACCURACY -> e.accuracy();
      case BALANCED_ACCURACY -> e.balancedAccuracy();
      case MACRO_F1 -> e.macroF1();
      case AUC -> e.auc();
    };
  }

  /** Whether this metric is defined for a problem of {@code classes} classes. */
  public boolean definedFor(int classes) {
    return this != AUC || classes == 2;
  }

  /** Fails with one sentence when this metric is not defined for {@code classes} classes. */
  public Metric checkDefinedFor(int classes) {
    if (!definedFor(classes)) {
      throw new IllegalArgumentException("The metric auc (ROC AUC) needs two classes, but the data has " + classes
          + "; use accuracy, balanced-accuracy or macro-f1.");
    }
    return this;
  }

  /** Parses {@code accuracy}, {@code balanced-accuracy}, {@code macro-f1} or {@code auc}. */
  public static Metric parse(String spec) {
    String s = spec.trim().toLowerCase(Locale.ROOT);
    for (Metric m : values()) if (m.id.equals(s)) return m;
    throw new IllegalArgumentException("Unknown metric '" + spec + "'; use "
        + Arrays.stream(values()).map(Metric::id).collect(Collectors.joining(", ")) + ".");
  }

  @Override
  public String toString() {
    return id;
  }
}
