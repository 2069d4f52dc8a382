package dev.ipa.alignment.model;

/**
 * Classification metrics beside accuracy, as pure functions over a confusion matrix or scores: no state, no I/O.
 * Definitions follow scikit-learn's, so figures can be checked against it.
 */
public final class ClassificationMetrics {
  private ClassificationMetrics() {}

  /**
   * Mean recall over the classes that occur in the true labels ({@code balanced_accuracy_score}): a classifier
   * that always answers the majority class scores 1/k, whatever the imbalance.
   *
   * @param confusion {@code confusion[true][predicted]} counts
   * @return NaN when there are no samples
   */
  public static double balancedAccuracy(long[][] confusion) {
    double sum = 0;
    int present = 0;
    for (int c = 0; c < confusion.length; c++) {
      long support = 0;
      for (long v : confusion[c]) support += v;
      if (support == 0) continue;
      sum += (double) confusion[c][c] / support;
      present++;
    }
    return present == 0 ? Double.NaN : sum / present;
  }

  /**
   * Unweighted mean of the per-class F1 = 2·TP / (2·TP + FP + FN) over the classes that occur in the true or the
   * predicted labels ({@code f1_score(average="macro", zero_division=0)}).
   *
   * @return NaN when there are no samples
   */
  public static double macroF1(long[][] confusion) {
    int k = confusion.length;
    double sum = 0;
    int present = 0;
    for (int c = 0; c < k; c++) {
      long tp = confusion[c][c];
      long fn = -tp;
      long fp = -tp;
      for (int j = 0; j < k; j++) {
        fn += confusion[c][j];
        fp += confusion[j][c];
      }
      if (tp + fn + fp == 0) continue;
      sum += 2.0 * tp / (2.0 * tp + fp + fn);
      present++;
    }
    return present == 0 ? Double.NaN : sum / present;
  }

  /**
   * Area under the ROC curve of a two-class problem: the probability that a random positive scores above a random
   * negative, ties counting one half (the Mann–Whitney U statistic over n₊·n₋). Computed from ranks in
   * O(n log n), with tied scores given their average rank.
   *
   * @param positive whether sample i belongs to the positive class (class 1)
   * @param scores   the model's score for the positive class, e.g. its softmax probability
   * @param n        samples in use (the arrays may be longer)
   * @return NaN when either class is absent
   */
  public static double rocAuc(boolean[] positive, float[] scores, int n) {
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    java.util.Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
    double positiveRankSum = 0;
    long positives = 0;
    for (int i = 0; i < n; ) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) j++;
      double rank = (i + j) / 2.0 + 1; // average 1-based rank of the tie group
      for (int t = i; t <= j; t++) {
        if (positive[order[t]]) {
          positiveRankSum += rank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) return Double.NaN;
    return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }
}
