package dev.ipa.alignment.penalty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The robust aggregation rules of {@link Aggregation} on small hand-made arrays. */
class RobustAggregationTest {

  @Test
  void theUpperMedianIsTheMiddleOrTheLargerOfTheTwoMiddleValues() {
    assertThat(Aggregation.upperMedian(new double[] {3, 1, 2})).isEqualTo(2);
    assertThat(Aggregation.upperMedian(new double[] {4, 1, 3, 2})).isEqualTo(3);
    assertThat(Aggregation.upperMedian(new double[] {5, 1})).isEqualTo(5);
    assertThat(Aggregation.upperMedian(new double[] {Double.NaN, 1, 2})).as("NaN sorts last").isEqualTo(2);
  }

  @Test
  void aNeighbourFartherThanTheBoundIsPulledBackOntoIt() {
    float[] theta = {0, 0};
    // Distances 1, 2, 100: upper median 2, bound 2 × 2 = 4.
    float[][] targets = {{1, 0}, {0, 2}, {60, 80}};
    float[][] out = Aggregation.clipToMedianDistance(theta, targets, 2.0);
    assertThat(out[0]).isSameAs(targets[0]);
    assertThat(out[1]).isSameAs(targets[1]);
    assertThat(out[2][0]).isCloseTo(2.4f, within(1e-6f)); // (60, 80) · 4/100
    assertThat(out[2][1]).isCloseTo(3.2f, within(1e-6f));
    assertThat(targets[2]).as("the input is not modified").containsExactly(60f, 80f);
  }

  @Test
  void aScaledSnapshotCannotPullHarderThanTheBoundHoweverLarge() {
    float[] theta = {1, 1};
    float[][] targets = {{2, 1}, {1, 2}, {1e6f, 1e6f}, {Float.MAX_VALUE, Float.MAX_VALUE}};
    float[][] out = Aggregation.clipToMedianDistance(theta, targets, 3.0);
    // Distances 1, 1, ~1.4e6, ∞ (squares overflow double? no: 3.4e38² = 1.2e77, finite): upper median is the third.
    double bound = 3 * Aggregation.distance(theta, targets[2]);
    assertThat(Aggregation.distance(theta, out[3])).isLessThanOrEqualTo(bound * (1 + 1e-6));
    float[][] two = Aggregation.clipToMedianDistance(theta, new float[][] {{2, 1}, {1, 2}, {1e6f, 1e6f}}, 3.0);
    assertThat(Aggregation.distance(theta, two[2])).isCloseTo(3.0, within(1e-5));
  }

  @Test
  void withFactorZeroNothingIsClipped() {
    float[][] targets = {{1}, {1000}};
    float[][] out = Aggregation.clipToMedianDistance(new float[] {0}, targets, 0);
    assertThat(out[0]).isSameAs(targets[0]);
    assertThat(out[1]).isSameAs(targets[1]);
  }

  @Test
  void theTrimmedMeanDropsTheExtremesAtEachEnd() {
    // values 1, 2, 3, 100, -50 (weights 1): k = 1 drops -50 and 100: mean of 1, 2, 3 = 2.
    double[] v = {1, 2, 3, 100, -50};
    double[] w = {1, 1, 1, 1, 1};
    assertThat(Aggregation.trimmedMean(v, w, 5, 1)).isEqualTo(2.0);
    // Weighted: 1·1 + 3·2 over 3 (after trimming 0 and 10 from {0, 1, 2(w=3)... }).
    double[] v2 = {10, 1, 0, 2};
    double[] w2 = {1, 1, 1, 3};
    assertThat(Aggregation.trimmedMean(v2, w2, 4, 1)).isEqualTo((1 * 1 + 2 * 3) / 4.0);
    assertThat(Aggregation.trimmedMean(new double[] {1, 3}, new double[] {1, 3}, 2, 0)).as("k = 0: the weighted mean").isEqualTo(2.5);
  }

  @Test
  void trimCountsAreTheFloorOfTheFractionAndLeaveAValue() {
    assertThat(Aggregation.trimCount(0.2, 3)).isZero();
    assertThat(Aggregation.trimCount(0.2, 5)).isEqualTo(1);
    assertThat(Aggregation.trimCount(0.2, 10)).isEqualTo(2);
    assertThat(Aggregation.trimCount(0.49, 2)).isZero();
  }

  @Test
  void theTrimmedProximalStepOutvotesAnExtremeNeighbourPerCoordinate() {
    float[] theta = {0, 0};
    float[][] targets = {{1, 1}, {2, 2}, {3, -3}, {1e6f, 4}};
    double[] c = {1, 1, 1, 1};
    Aggregation.trimmedProximalStep(theta, targets, 1, c, 0.2); // m = 5, k = 1
    // coordinate 0: {0, 1, 2, 3, 1e6} → mean of 1, 2, 3 = 2; coordinate 1: {0, 1, 2, -3, 4} → mean of 0, 1, 2 = 1.
    assertThat(theta).containsExactly(2f, 1f);
  }

  @Test
  void withoutTrimmingTheStepIsTheProximalStep() {
    float[] a = {0.5f, -1};
    float[] b = a.clone();
    float[][] targets = {{1, 2}, {3, 4}};
    double[] c = {0.25, 0.5};
    Aggregation.trimmedProximalStep(a, targets, 1, c, 0);
    Aggregation.proximalStep(b, targets, 1, c);
    assertThat(a[0]).isCloseTo(b[0], within(1e-6f));
    assertThat(a[1]).isCloseTo(b[1], within(1e-6f));
  }

  @Test
  void theTrimmedFedAvgMeanIgnoresAClaimOnOneCoordinate() {
    float[] mean = Aggregation.trimmedWeightedMean(new float[] {1}, 1, new float[][] {{1}, {1}, {1}, {-1e9f}}, new int[] {1, 1, 1, 1000}, 0.2);
    assertThat(mean).containsExactly(1f);
  }

  @Test
  void trustLeavesOutASnapshotFarWorseThanTheMedian() {
    double[] t = Aggregation.trustGate(0.5, new double[] {0.6, 0.7, 7e18, Double.NaN}, 4.0);
    assertThat(t).containsExactly(1, 1, 0, 0);
    assertThat(Aggregation.trustGate(0.5, new double[] {100}, 4.0)).as("one neighbour: the median is the larger loss").containsExactly(1);
    assertThat(Aggregation.trustGate(0.5, new double[] {0.6, 1e9}, 0)).as("off").containsExactly(1, 1);
  }
}
