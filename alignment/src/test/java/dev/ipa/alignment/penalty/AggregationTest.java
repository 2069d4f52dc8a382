package dev.ipa.alignment.penalty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The aggregation rules on arrays small enough to compute by hand. */
class AggregationTest {
  final float[] theta = {1f, -2f, 0.5f};
  final float[] a = {0f, -2f, 1.5f};
  final float[] b = {3f, 1f, 0.5f};

  @Test
  void dataSizeWeightsAreSharesOfTheWholeFederation() {
    double[] w = Aggregation.peerWeights(new int[] {300, 100}, 600, 3, Weighting.DATA_SIZE);
    assertThat(w).containsExactly(0.5, 1.0 / 6);
  }

  @Test
  void uniformWeightsAreOneOverTheFederationSizeForTheOwnPeerAndItsNeighboursAlike() {
    // One rule: the proximal step always used 1/n; the gradient term used 1/(n − 1) before the rules were merged.
    assertThat(Aggregation.peerWeights(new int[] {300, 100}, 600, 3, Weighting.UNIFORM)).containsExactly(1.0 / 3, 1.0 / 3);
    assertThat(Aggregation.peerWeight(200, 600, 3, Weighting.UNIFORM)).isEqualTo(1.0 / 3);
    assertThatThrownBy(() -> Aggregation.peerWeight(1, 1, 0, Weighting.UNIFORM)).hasMessageContaining("at least 1 peer");
  }

  @Test
  void alignmentCoefficientsAreLambdaTimesTheWeightsOrTheirSharesWhenNormalised() {
    double[] w = {0.5, 0.25};
    assertThat(Aggregation.alignmentCoefficients(w, 0.4, false)).containsExactly(0.2, 0.1);
    // Normalised: 0.4 · (0.5, 0.25) / 0.75.
    assertThat(Aggregation.alignmentCoefficients(w, 0.4, true)).containsExactly(0.4 * (0.5 / 0.75), 0.4 * (0.25 / 0.75));
    assertThat(Aggregation.alignmentCoefficients(new double[0], 0.4, true)).isEmpty();
  }

  @Test
  void normalisedUniformCoefficientsDoNotDependOnTheWeightOfOnePeer() {
    // Each of k neighbours gets λ/k whether a peer weighs 1/n or 1/(n − 1): the change of rule cancels.
    for (int n = 2; n <= 12; n++) {
      for (int k = 1; k < n; k++) {
        double[] now = Aggregation.alignmentCoefficients(Aggregation.peerWeights(new int[k], 1, n, Weighting.UNIFORM), 0.1, true);
        for (double c : now) {
          assertThat(c).as("n=%d k=%d", n, k).isCloseTo(0.1 / k, within(1e-15));
          assertThat((float) c).as("the float the gradient uses, n=%d k=%d", n, k).isEqualTo(oldRule(n, k));
        }
      }
    }
  }

  /** The float coefficient of the gradient term under the old rule (w_j = 1/(n − 1)), summed the same way. */
  private static float oldRule(int n, int k) {
    double w = 1.0 / (n - 1);
    double sum = 0;
    for (int j = 0; j < k; j++) sum += w;
    return (float) (0.1 * (w / sum));
  }

  @Test
  void proximalCoefficientsShareOneMinusTheOwnWeightWhenNormalised() {
    // Own weight 1/2, neighbours 1/4 and 1/8 (one missing): normalised, they share mix·(1 − 1/2) in the ratio 2:1.
    double[] c = Aggregation.proximalCoefficients(0.5, new double[] {0.25, 0.125}, 1.0, true);
    assertThat(c[0]).isCloseTo(1.0 / 3, within(1e-15));
    assertThat(c[1]).isCloseTo(1.0 / 6, within(1e-15));
    assertThat(Aggregation.proximalCoefficients(0.5, new double[] {0.25, 0.125}, 0.5, false)).containsExactly(0.125, 0.0625);
  }

  @Test
  void proximalStepIsTheWeightedMeanByHand() {
    float[] x = theta.clone();
    // (2·θ + 1·a + 1·b) / 4 = ((2 + 0 + 3), (−4 − 2 + 1), (1 + 1.5 + 0.5)) / 4
    Aggregation.proximalStep(x, new float[][] {a, b}, 2.0, new double[] {1.0, 1.0});
    assertThat(x).containsExactly(5f / 4, -5f / 4, 3f / 4);
    // It minimises 2·‖x − θ‖² + ‖x − a‖² + ‖x − b‖²: the gradient there is zero.
    float[] grad = new float[3];
    AlignmentPenalty.addGradient(x, grad, new float[][] {theta, theta, a, b}, new double[] {1, 1, 1, 1}, Distance.L2);
    for (float g : grad) assertThat(g).isCloseTo(0f, within(1e-6f));
    float[] same = theta.clone();
    Aggregation.proximalStep(same, new float[][] {a}, 1.0, new double[] {0.0});
    assertThat(same).as("λ = 0 leaves θ alone").containsExactly(theta);
    assertThatThrownBy(() -> Aggregation.proximalStep(theta.clone(), new float[][] {a}, 0.0, new double[] {1.0}))
        .hasMessageContaining("own weight");
  }

  @Test
  void weightedMeanWeighsEachPeerByItsDataSize() {
    // (1·θ + 3·a) / 4 and (1·θ + 1·a + 2·b) / 4, by hand.
    assertThat(Aggregation.weightedMean(theta, 1, new float[][] {a}, new int[] {3})).containsExactly(0.25f, -2f, 1.25f);
    assertThat(Aggregation.weightedMean(theta, 1, new float[][] {a, b}, new int[] {1, 2})).containsExactly(7f / 4, -0.5f, 3f / 4);
    float[] alone = Aggregation.weightedMean(theta, 5, new float[0][], new int[0]);
    assertThat(alone).as("nothing received: θ itself, in a new array").containsExactly(theta).isNotSameAs(theta);
    assertThatThrownBy(() -> Aggregation.weightedMean(theta, 1, new float[][] {{1f}}, new int[] {1})).hasMessageContaining("Snapshot 0 has 1 values");
  }

  @Test
  void extrapolationMovesASnapshotOnAlongItsLastStep() {
    float[] previous = {0f, -1f, 0.5f};
    // θ̃ + 0.5·(θ̃ − θ̃_prev) with θ̃ = theta.
    assertThat(Aggregation.extrapolate(theta, previous, 0.5)).containsExactly(1.5f, -2.5f, 0.5f);
    assertThat(Aggregation.extrapolate(theta, previous, 0)).isSameAs(theta);
    assertThat(Aggregation.extrapolate(theta, null, 0.5)).isSameAs(theta);
  }

  @Test
  void signStepMovesEachCopyOneStepTowardsTheHolderUnlessItsCoefficientIsZero() {
    float[] copy = {0f, -2f, 1f};
    float[] untouched = {0f, 0f, 0f};
    Aggregation.signStepTowards(theta, new float[][] {copy, untouched}, new double[] {0.1, 0.0}, 0.25f);
    // θ − copy = (1, 0, −0.5): sign (1, 0, −1).
    assertThat(copy).containsExactly(0.25f, -2f, 0.75f);
    assertThat(untouched).containsExactly(0f, 0f, 0f);
  }
}
