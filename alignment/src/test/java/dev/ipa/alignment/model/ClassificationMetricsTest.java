package dev.ipa.alignment.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {
  /**
   * Ten samples of three classes, by hand: recalls 3/4, 2/4, 2/2 (balanced 0.75); F1 = 2TP/(2TP+FP+FN) =
   * 6/8, 4/7, 4/5 (macro 0.7071428...); accuracy 7/10.
   */
  private static final long[][] CONFUSION = {
      {3, 1, 0},
      {1, 2, 1},
      {0, 0, 2}};

  @Test
  void balancedAccuracyAndMacroF1MatchTheHandComputedValues() {
    assertThat(ClassificationMetrics.balancedAccuracy(CONFUSION)).isCloseTo(0.75, within(1e-12));
    assertThat(ClassificationMetrics.macroF1(CONFUSION)).isCloseTo((0.75 + 4.0 / 7 + 0.8) / 3, within(1e-12));
  }

  @Test
  void aClassNeitherTrueNorPredictedDoesNotCountButAPredictedOnlyClassScoresZeroF1() {
    long[][] absent = {{3, 1, 0, 0}, {1, 2, 1, 0}, {0, 0, 2, 0}, {0, 0, 0, 0}};
    assertThat(ClassificationMetrics.balancedAccuracy(absent)).isCloseTo(0.75, within(1e-12));
    assertThat(ClassificationMetrics.macroF1(absent)).isCloseTo((0.75 + 4.0 / 7 + 0.8) / 3, within(1e-12));

    // Class 1 never occurs but is predicted once: recall ignores it, F1 counts it as 0 (scikit-learn, zero_division=0).
    long[][] predictedOnly = {{4, 1}, {0, 0}};
    assertThat(ClassificationMetrics.balancedAccuracy(predictedOnly)).isCloseTo(0.8, within(1e-12));
    assertThat(ClassificationMetrics.macroF1(predictedOnly)).isCloseTo((8.0 / 9 + 0) / 2, within(1e-12));
  }

  @Test
  void aMajorityClassifierScoresOneOverKBalancedAccuracyWhateverItsAccuracy() {
    long[][] majority = {{90, 0}, {10, 0}};
    assertThat(ClassificationMetrics.balancedAccuracy(majority)).isEqualTo(0.5);
    assertThat(ClassificationMetrics.macroF1(majority)).isCloseTo((180.0 / 190) / 2, within(1e-12));
  }

  @Test
  void rocAucCountsPairsRankedRightWithTiesAsHalves() {
    // Positives score 0.9, 0.7, 0.3; negatives 0.8, 0.3: of 6 pairs, 3 right, 2 wrong, 1 tie → 3.5 / 6.
    boolean[] positive = {true, false, true, false, true};
    float[] scores = {0.9f, 0.8f, 0.7f, 0.3f, 0.3f};
    assertThat(ClassificationMetrics.rocAuc(positive, scores, 5)).isCloseTo(3.5 / 6, within(1e-12));
    assertThat(ClassificationMetrics.rocAuc(new boolean[] {false, true}, new float[] {0.1f, 0.2f}, 2)).isEqualTo(1.0);
    assertThat(ClassificationMetrics.rocAuc(new boolean[] {true, true}, new float[] {0.1f, 0.2f}, 2)).isNaN();
  }

  @Test
  void anEvaluationRecordsTheConfusionAndTwoClassScores() {
    Evaluation e = new Evaluation();
    int[][] rows = {{1, 1}, {0, 0}, {1, 0}, {0, 0}, {1, 1}}; // {label, predicted}
    float[] p1 = {0.9f, 0.8f, 0.3f, 0.3f, 0.7f};
    for (int i = 0; i < rows.length; i++) e.record(2, rows[i][0], rows[i][1], p1[i]);
    e.add(5, 4, 2.5);

    assertThat(e.accuracy()).isEqualTo(0.8);
    assertThat(e.meanLoss()).isEqualTo(0.5);
    assertThat(e.confusion()).isEqualTo(new long[][] {{2, 0}, {1, 2}});
    assertThat(e.balancedAccuracy()).isCloseTo((1 + 2.0 / 3) / 2, within(1e-12));
    assertThat(e.auc()).isCloseTo(3.5 / 6, within(1e-12));
    assertThat(Metric.MACRO_F1.of(e)).isEqualTo(e.macroF1());
  }

  @Test
  void aucIsUndefinedBeyondTwoClassesAndMetricsParseByTheirCommandLineNames() {
    Evaluation e = new Evaluation();
    e.record(3, 0, 0, Float.NaN);
    e.add(1, 1, 0.1);
    assertThat(e.auc()).isNaN();
    assertThat(Metric.parse("Balanced-Accuracy")).isEqualTo(Metric.BALANCED_ACCURACY);
    assertThatThrownBy(() -> Metric.parse("f1")).hasMessageContaining("accuracy, balanced-accuracy, macro-f1, auc");
    assertThatThrownBy(() -> Metric.AUC.checkDefinedFor(10)).hasMessageContaining("needs two classes, but the data has 10");
  }
}
