package dev.ipa.alignment.model;

import java.util.Arrays;

/**
 * Running figures over evaluated batches: accuracy and mean loss, and beside them the confusion matrix behind
 * balanced accuracy and macro-F1 and, for two classes, the positive-class scores behind ROC AUC
 * ({@link ClassificationMetrics}). Lifecycle: filled by {@link Network#evaluate} batch after batch, then read.
 * Not thread-safe.
 */
public final class Evaluation {
  private long count;
  private long correct;
  private double lossSum;
  private int recorded;
  private long[][] confusion = new long[0][0];
  private boolean[] positive = new boolean[0];
  private float[] scores = new float[0];

  /** Adds a batch's sample count, correct count and summed loss (summed per batch, so the mean repeats bit for bit). */
  void add(int n, int ok, double loss) {
    count += n;
    correct += ok;
    lossSum += loss;
  }

  /**
   * Records one sample of a {@code classes}-class model, before its batch is {@link #add added}: its label, the
   * predicted class and, for two classes, the softmax probability of class 1.
   */
  void record(int classes, int label, int predicted, float positiveScore) {
    if (confusion.length != classes) {
      if (recorded > 0) throw new IllegalStateException("One evaluation cannot mix models of " + confusion.length + " and " + classes + " classes.");
      confusion = new long[classes][classes];
    }
    if (classes == 2) {
      if (recorded == scores.length) {
        int grown = Math.max(64, scores.length * 2);
        scores = Arrays.copyOf(scores, grown);
        positive = Arrays.copyOf(positive, grown);
      }
      scores[recorded] = positiveScore;
      positive[recorded] = label == 1;
    }
    recorded++;
    confusion[label][predicted]++;
  }

  public long count() {
    return count;
  }

  public double accuracy() {
    return count == 0 ? Double.NaN : (double) correct / count;
  }

  /** Mean cross-entropy per sample (unweighted, whatever class weights training used). */
  public double meanLoss() {
    return count == 0 ? Double.NaN : lossSum / count;
  }

  /** Mean recall over the classes present in the labels. */
  public double balancedAccuracy() {
    return ClassificationMetrics.balancedAccuracy(confusion);
  }

  /** Unweighted mean F1 over the classes present in the labels or predictions. */
  public double macroF1() {
    return ClassificationMetrics.macroF1(confusion);
  }

  /** ROC AUC of class 1's softmax probability; NaN unless the model has two classes and both occur. */
  public double auc() {
    return confusion.length == 2 ? ClassificationMetrics.rocAuc(positive, scores, recorded) : Double.NaN;
  }

  /** A copy of the confusion matrix, {@code [true][predicted]}. */
  public long[][] confusion() {
    long[][] c = new long[confusion.length][];
    for (int i = 0; i < c.length; i++) c[i] = confusion[i].clone();
    return c;
  }
}
