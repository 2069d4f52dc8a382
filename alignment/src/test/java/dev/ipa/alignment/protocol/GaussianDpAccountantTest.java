package dev.ipa.alignment.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The GDP accountant (Dong, Roth and Su 2019) against values derived independently here, against published
 * values, and against its own inverse.
 */
class GaussianDpAccountantTest {

  /** Φ by the Abramowitz–Stegun-free route: a Simpson integral of the density, independent of commons-math. */
  private static double phi(double x) {
    if (x < -12) return 0;
    int n = 200_000;
    double a = -12;
    double h = (x - a) / n;
    double s = 0;
    for (int i = 0; i <= n; i++) {
      double t = a + i * h;
      double f = Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
      s += (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * f;
    }
    return s * h / 3;
  }

  /** ε(δ) by bisection over the independent Φ. */
  private static double epsilonByBisection(double mu, double delta) {
    double lo = 0;
    double hi = 200;
    for (int i = 0; i < 100; i++) {
      double mid = (lo + hi) / 2;
      double d = phi(-mid / mu + mu / 2) - Math.exp(mid) * phi(-mid / mu - mu / 2);
      if (d > delta) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  @ParameterizedTest(name = "σ = {0}, T = {1}, δ = {2}")
  @CsvSource({"1.0, 1, 1e-5", "2.0, 20, 1e-5", "5.0, 80, 1e-5", "0.8, 10, 1e-3"})
  void epsilonMatchesAnIndependentBisection(double sigma, int releases, double delta) {
    double mu = GaussianDpAccountant.mu(sigma, releases);
    assertThat(GaussianDpAccountant.epsilon(mu, delta)).isCloseTo(epsilonByBisection(mu, delta), within(1e-3));
  }

  @Test
  void oneReleaseAtEpsilonOneNeedsTheAnalyticGaussianMechanismsSigma() {
    // Balle and Wang 2018 (Sect. 1 and Fig. 1): for ε = 1, δ = 1e-5 and sensitivity 1 the analytic Gaussian
    // mechanism needs σ ≈ 3.73, where the classical bound √(2 ln(1.25/δ))/ε asks for 4.84.
    double sigma = GaussianDpAccountant.calibrateSigma(1.0, 1e-5, 1);
    assertThat(sigma).isCloseTo(3.73, within(0.01));
    assertThat(sigma).isLessThan(Math.sqrt(2 * Math.log(1.25 / 1e-5)));
  }

  @Test
  void oneGdpIsAboutEpsilonOnePointOneAtDeltaOneInAThousand() {
    // Dong, Roth and Su 2019 (Fig. 2 / Sect. 2.2): 1-GDP is contained in (ε, δ)-DP with δ(ε) as in their
    // Corollary 2.13; at ε = 1 that is δ ≈ 0.127, and at δ = 1e-3 ε ≈ 2.8 (both checked independently here).
    assertThat(GaussianDpAccountant.delta(1.0, 1.0)).isCloseTo(phi(-0.5) - Math.E * phi(-1.5), within(1e-6)).isCloseTo(0.1269, within(5e-4));
  }

  @ParameterizedTest(name = "μ = {0}, δ = {1}")
  @CsvSource({"0.1, 1e-5", "0.5, 1e-5", "1.0, 1e-5", "3.0, 1e-6", "10.0, 1e-2"})
  void deltaOfEpsilonOfDeltaIsDelta(double mu, double delta) {
    double eps = GaussianDpAccountant.epsilon(mu, delta);
    assertThat(GaussianDpAccountant.delta(mu, eps)).isCloseTo(delta, within(delta * 1e-6));
  }

  @Test
  void epsilonGrowsWithReleasesAndFallsWithNoise() {
    GaussianDpAccountant a = new GaussianDpAccountant(2.0);
    double last = 0;
    for (int t = 1; t <= 10; t++) {
      double next = a.epsilonAfterNextStep(1e-5);
      a.step();
      assertThat(a.epsilon(1e-5)).isEqualTo(next).isGreaterThan(last);
      last = next;
    }
    assertThat(GaussianDpAccountant.epsilon(GaussianDpAccountant.mu(4.0, 10), 1e-5)).isLessThan(last);
    assertThat(new GaussianDpAccountant(1.0).epsilon(1e-5)).as("nothing released, nothing spent").isZero();
  }

  @ParameterizedTest(name = "ε = {0}, T = {1}")
  @CsvSource({"8, 80", "4, 80", "1, 80", "1, 1"})
  void calibratedSigmaSpendsExactlyTheBudgetOverThePlannedReleases(double epsilon, int releases) {
    double sigma = GaussianDpAccountant.calibrateSigma(epsilon, 1e-5, releases);
    double spent = GaussianDpAccountant.epsilon(GaussianDpAccountant.mu(sigma, releases), 1e-5);
    assertThat(spent).isLessThanOrEqualTo(epsilon).isCloseTo(epsilon, within(1e-6));
  }

  @Test
  void theMechanismClipsAddsNoiseAndStopsAtTheBudget() {
    double e2 = GaussianDpAccountant.epsilon(GaussianDpAccountant.mu(1.0, 2), 1e-5);
    double e3 = GaussianDpAccountant.epsilon(GaussianDpAccountant.mu(1.0, 3), 1e-5);
    DpSettings s = new DpSettings(1.0, 1.0, 1e-5, (e2 + e3) / 2);
    float[] start = new float[1000];
    GaussianUpdateMechanism m = new GaussianUpdateMechanism(s, start, new Random(1));
    float[] theta = new float[1000];
    java.util.Arrays.fill(theta, 10f); // update norm ≈ 316, clipped to 1
    float[] p = m.privatise(theta);
    double sq = 0;
    for (float v : p) sq += v * v;
    // clip(u) has norm 1 and noise has E‖n‖² = σ²C²·d = 1000: ‖p‖² ≈ 1001, far from the unclipped 100000.
    assertThat(sq).isBetween(800.0, 1200.0);
    assertThat(m.releases()).isEqualTo(1);
    // The budget lies between ε after two releases and after three: the third is refused and p republished.
    float[] p2 = m.privatise(theta);
    float[] p3 = m.privatise(theta);
    assertThat(m.releases()).isEqualTo(2);
    assertThat(m.exhausted()).isTrue();
    assertThat(p3).containsExactly(p2);
    assertThat(m.epsilon()).isEqualTo(e2);
  }

  @Test
  void aResumedAccountantComposesTheEarlierReleasesExactly() {
    GaussianDpAccountant straight = new GaussianDpAccountant(2.0);
    for (int i = 0; i < 5; i++) straight.step();
    GaussianDpAccountant before = new GaussianDpAccountant(2.0);
    for (int i = 0; i < 3; i++) before.step();
    GaussianDpAccountant resumed = new GaussianDpAccountant(2.0);
    resumed.resume(before.steps(), before.muSquared());
    resumed.step();
    resumed.step();
    assertThat(resumed.steps()).isEqualTo(5);
    assertThat(resumed.epsilon(1e-5)).isCloseTo(straight.epsilon(1e-5), within(1e-12));
    // A restart with another σ: μ² = 3/2² + 2/4² in Gaussian DP, no approximation.
    GaussianDpAccountant changed = new GaussianDpAccountant(4.0);
    changed.resume(3, 3 / 4.0);
    changed.step();
    changed.step();
    assertThat(changed.epsilon(1e-5)).isCloseTo(GaussianDpAccountant.epsilon(Math.sqrt(3 / 4.0 + 2 / 16.0), 1e-5), within(1e-12));
    assertThatThrownBy(() -> changed.resume(1, 0.25)).hasMessageContaining("only before its first release");
    assertThatThrownBy(() -> new GaussianDpAccountant(1).resume(2, 0)).hasMessageContaining("0 exactly when there were none");
  }

  @Test
  void badSettingsSayWhatToDo() {
    assertThatThrownBy(() -> DpSettings.parse("clip:1", 10)).hasMessageContaining("needs sigma:S");
    assertThatThrownBy(() -> DpSettings.parse("epsilon:4,sigma:1", 10)).hasMessageContaining("not both");
    assertThat(DpSettings.parse("epsilon:4,delta:1e-5", 80).budget()).isEqualTo(4.0);
    assertThat(DpSettings.parse("none", 80).enabled()).isFalse();
  }
}
