package dev.ipa.alignment.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Validation and parsing of the defences' and DP's settings, and the claims they govern. */
class RobustSettingsTest {

  @Test
  void theDefencesAreOnByDefaultAndOffMeansNone() {
    assertThat(FederationSettings.defaults().robust()).isEqualTo(RobustSettings.defaults());
    assertThat(RobustSettings.defaults().enabled()).isTrue();
    assertThat(RobustSettings.parse("off").quorum(10)).as("off: any one notice stops, as before").isEqualTo(1);
    assertThat(RobustSettings.defaults().quorum(5)).isEqualTo(3);
    assertThat(RobustSettings.defaults().quorum(2)).isEqualTo(2);
    assertThat(RobustSettings.parse("clip:2,trim:0.1,quorum:2").trim()).isEqualTo(0.1);
  }

  @Test
  void badValuesSayWhatIsWrong() {
    assertThatThrownBy(() -> RobustSettings.parse("clip:0.5")).hasMessageContaining("≥ 1 of the median distance");
    assertThatThrownBy(() -> RobustSettings.parse("trim:0.5")).hasMessageContaining("[0, 0.5)");
    assertThatThrownBy(() -> RobustSettings.parse("trust")).hasMessageContaining("use off, on, or pairs");
    assertThatThrownBy(() -> RobustSettings.defaults().withDataSizes(Map.of("a", 0))).hasMessageContaining("peer 'a' must be ≥ 1");
  }

  @Test
  void differentialPrivacyNeedsTheParallelProtocol() {
    FederationSettings ring = FederationSettings.defaults(Protocol.RING);
    assertThatThrownBy(() -> ring.with(new DpSettings(1, 1, 1e-5, Double.POSITIVE_INFINITY))).hasMessageContaining("--protocol parallel");
  }

  @Test
  void provisionedSizesWinOverClaimsAndOtherClaimsAreCapped() {
    Suspicions s = new Suspicions("a");
    DataSizeClaims claims = new DataSizeClaims(true, Map.of("b", 100), 300);
    assertThat(claims.trusted("b", 0, 0, 100, s)).isEqualTo(100);
    assertThat(claims.trusted("b", 0, 0, 5000, s)).isEqualTo(100);
    assertThat(claims.trusted("c", 0, 0, 250, s)).isEqualTo(250);
    assertThat(claims.trusted("c", 0, 0, Integer.MAX_VALUE, s)).isEqualTo(300);
    assertThat(s.drain()).extracting(PeerFailure::reason).containsExactly(
        "suspected: claimed 5000 training samples, but 100 were provisioned; weighting it with 100",
        "suspected: claimed 2147483647 training samples, above the cap of 300; weighting it with 300");
    assertThat(DataSizeClaims.trusting().trusted("c", 0, 0, Integer.MAX_VALUE, s)).isEqualTo(Integer.MAX_VALUE);
  }
}
