package dev.ipa.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class SeedSummaryTest {
  private static double[][] series(double[] rounds, double[] values) {
    return new double[][] {rounds, values};
  }

  @Test
  void seedsThatEvaluatedTheSameRoundsAreAveragedRoundByRound() {
    double[][] mean = SeedSummary.meanCarriedForward(List.of(
        series(new double[] {1, 2}, new double[] {0.2, 0.4}),
        series(new double[] {1, 2}, new double[] {0.4, 0.8})));

    assertThat(mean[0]).containsExactly(1, 2);
    assertThat(mean[1][0]).isCloseTo(0.3, within(1e-12));
    assertThat(mean[1][1]).isCloseTo(0.6, within(1e-12));
  }

  /**
   * An early stop ended seed 0 at round 2 and seed 1 at round 4, each evaluated only where it ended: they share no round,
   * and the mean over seeds used to be empty (the plot then failed, and with it the whole summary). The stopped seed's
   * last figure stands for the rounds it did not run.
   */
  @Test
  void aSeedStoppedEarlyCountsWithItsLastFigureAtTheRoundsItDidNotRun() {
    double[][] mean = SeedSummary.meanCarriedForward(List.of(
        series(new double[] {2}, new double[] {0.5}),
        series(new double[] {4}, new double[] {0.7})));

    assertThat(mean[0]).containsExactly(4); // round 2 is left out: seed 1 had no figure yet
    assertThat(mean[1][0]).isCloseTo(0.6, within(1e-12));
  }

  @Test
  void aSeedWithoutAnyEvaluationLeavesNoRoundEveryoneHasAFigureFor() {
    double[][] mean = SeedSummary.meanCarriedForward(List.of(
        series(new double[] {1}, new double[] {0.5}),
        series(new double[0], new double[0])));

    assertThat(mean[0]).isEmpty();
    assertThat(mean[1]).isEmpty();
  }
}
