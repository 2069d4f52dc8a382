package dev.ipa.alignment.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The early-stopping state on hand-written sequences of validation results. */
class EarlyStoppingTest {

  @Test
  void patienceFreezesAfterThatManyRoundsWithoutImprovementAndOnlyOnce() {
    EarlyStopping s = new EarlyStopping(new EarlyStop(Double.NaN, 2));
    assertThat(s.observe(0.5, 1.0)).isEqualTo(new EarlyStopping.Outcome(false, false));
    assertThat(s.observe(0.5, 0.9)).isEqualTo(new EarlyStopping.Outcome(false, false));
    assertThat(s.bestValidationLoss()).isEqualTo(0.9);
    // Less than the minimum improvement does not count.
    assertThat(s.observe(0.5, 0.9 - 1e-7).froze()).isFalse();
    assertThat(s.roundsWithoutImprovement()).isEqualTo(1);
    assertThat(s.frozen()).isFalse();
    assertThat(s.observe(0.5, 0.95).froze()).as("second round without improvement").isTrue();
    assertThat(s.frozen()).isTrue();
    assertThat(s.observe(0.5, 2.0).froze()).as("a frozen peer does not freeze again").isFalse();
    assertThat(s.observe(0.5, 0.1).froze()).isFalse();
    assertThat(s.frozen()).as("and never thaws").isTrue();
    assertThat(s.bestValidationLoss()).as("a frozen peer's best loss no longer moves").isEqualTo(0.9);
  }

  @Test
  void anImprovementResetsTheCount() {
    EarlyStopping s = new EarlyStopping(new EarlyStop(Double.NaN, 2));
    s.observe(0.5, 1.0);
    s.observe(0.5, 1.0);
    assertThat(s.roundsWithoutImprovement()).isEqualTo(1);
    s.observe(0.5, 0.5);
    assertThat(s.roundsWithoutImprovement()).isZero();
    assertThat(s.observe(0.5, 0.5).froze()).isFalse();
    assertThat(s.observe(0.5, 0.5).froze()).isTrue();
  }

  @Test
  void theTargetIsReportedTheFirstTimeItIsReachedOnly() {
    EarlyStopping s = new EarlyStopping(new EarlyStop(0.8, 0));
    assertThat(s.observe(0.79, 1.0).reachedTarget()).isFalse();
    assertThat(s.targetReached()).isFalse();
    assertThat(s.observe(0.8, 1.0).reachedTarget()).as("≥ target").isTrue();
    assertThat(s.targetReached()).isTrue();
    assertThat(s.observe(0.9, 1.0).reachedTarget()).as("announced once").isFalse();
    assertThat(s.frozen()).as("patience is off").isFalse();
  }

  @Test
  void withNoPolicyNothingEverHappens() {
    EarlyStopping s = new EarlyStopping(EarlyStop.NONE);
    for (int r = 0; r < 10; r++) assertThat(s.observe(1.0, 5.0)).isEqualTo(new EarlyStopping.Outcome(false, false));
    assertThat(s.frozen()).isFalse();
    assertThat(s.targetReached()).isFalse();
    assertThat(s.roundsWithoutImprovement()).as("patience off: no count kept").isZero();
  }

  @Test
  void contributionStopsParsePrintAndEarnRoundsInProportionToTheDataHeld() {
    EarlyStop p = EarlyStop.parse("target:0.8,contribution");
    assertThat(p.contribution()).isTrue();
    assertThat(p.toString()).isEqualTo("target:0.8,contribution");
    assertThat(EarlyStop.parse(p.toString())).isEqualTo(p);
    assertThat(EarlyStop.parse("patience:2").contribution()).isFalse();
    // 20 rounds: the largest peer earns all 20 (0-based last round 19), one with a fifth of its data 4, a tiny one 1.
    assertThat(EarlyStop.contributionRound(20, 1000, 1000)).isEqualTo(19);
    assertThat(EarlyStop.contributionRound(20, 200, 1000)).isEqualTo(3);
    assertThat(EarlyStop.contributionRound(20, 1, 1000)).isZero();
    // Hearing of no larger peer (or only smaller ones) earns every round.
    assertThat(EarlyStop.contributionRound(20, 500, 100)).isEqualTo(19);
  }
}
