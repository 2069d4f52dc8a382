package dev.ipa.alignment.penalty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The alignment penalty and its gradient on arrays small enough to compute by hand. */
class AlignmentPenaltyTest {
  final float[] theta = {1f, -2f, 0.5f};
  final float[] a = {0f, -2f, 1.5f};
  final float[] b = {3f, 1f, 0.5f};

  @Test
  void l1ValueAndGradientByHand() {
    float[] grad = {10f, 20f, 30f};
    // c = (0.5, 0.25). θ−a = (1, 0, −1): |·| sum 2, sign (1, 0, −1). θ−b = (−2, −3, 0): sum 5, sign (−1, −1, 0).
    double v = AlignmentPenalty.addGradient(theta, grad, new float[][] {a, b}, new double[] {0.5, 0.25}, Distance.L1);
    assertThat(v).isCloseTo(0.5 * 2 + 0.25 * 5, within(1e-9));
    assertThat(grad).containsExactly(10f + 0.5f - 0.25f, 20f + 0f - 0.25f, 30f - 0.5f + 0f);
  }

  @Test
  void l2ValueAndGradientByHand() {
    float[] grad = new float[3];
    // θ−a = (1, 0, −1): squares 2. θ−b = (−2, −3, 0): squares 13.
    double v = AlignmentPenalty.addGradient(theta, grad, new float[][] {a, b}, new double[] {0.5, 0.25}, Distance.L2);
    assertThat(v).isCloseTo(0.5 * 2 + 0.25 * 13, within(1e-9));
    assertThat(grad[0]).isCloseTo(2 * 0.5f * 1 + 2 * 0.25f * -2, within(1e-6f));
    assertThat(grad[1]).isCloseTo(2 * 0.25f * -3, within(1e-6f));
    assertThat(grad[2]).isCloseTo(2 * 0.5f * -1, within(1e-6f));
  }

  @Test
  void l2GradientMatchesFiniteDifferencesOfTheValue() {
    float[] grad = new float[3];
    double[] c = {0.3, 0.7};
    AlignmentPenalty.addGradient(theta, grad, new float[][] {a, b}, c, Distance.L2);
    for (int i = 0; i < 3; i++) {
      float[] plus = theta.clone();
      plus[i] += 1e-3f;
      float[] minus = theta.clone();
      minus[i] -= 1e-3f;
      double numeric = (AlignmentPenalty.value(plus, new float[][] {a, b}, c, Distance.L2)
          - AlignmentPenalty.value(minus, new float[][] {a, b}, c, Distance.L2)) / 2e-3;
      assertThat(grad[i]).isCloseTo((float) numeric, within(1e-2f));
    }
  }

  @Test
  void noNeighboursMeansNoPenalty() {
    float[] grad = {1f, 2f, 3f};
    assertThat(AlignmentPenalty.addGradient(theta, grad, new float[0][], new double[0], Distance.L1)).isZero();
    assertThat(grad).containsExactly(1f, 2f, 3f);
  }

  @Test
  void shapeMismatchAndNegativeCoefficientsAreRejected() {
    assertThatThrownBy(() -> AlignmentPenalty.addGradient(theta, new float[3], new float[][] {{1f}}, new double[] {1}, Distance.L1))
        .hasMessageContaining("Snapshot 0 has 1 values but the parameters have 3");
    assertThatThrownBy(() -> AlignmentPenalty.addGradient(theta, new float[3], new float[][] {a}, new double[] {-1}, Distance.L1))
        .hasMessageContaining("≥ 0");
  }
}
