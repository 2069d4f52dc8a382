package dev.ipa.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings hash of the Hello and the first difference a refusal names. */
class FederationSettingsHashTest {
  private static final Map<String, String> SETTINGS = Map.of("ipa.federation.lambda", "0.5", "ipa.federation.rounds", "20",
      "ipa.federation.syncs", "4");

  @Test
  void theHashCoversEveryKeyAndValueAndIsEmptyWithoutSettings() {
    var one = new java.util.TreeMap<>(SETTINGS);
    var other = new java.util.TreeMap<>(SETTINGS);
    other.put("ipa.federation.rounds", "21");
    assertThat(FederationSettingsHash.of(one)).hasSize(32).isNotEqualTo(FederationSettingsHash.of(other));
    assertThat(FederationSettingsHash.of(new java.util.TreeMap<>())).isEmpty();
    assertThat(FederationSettingsHash.firstDifference(one, other)).isEqualTo("ipa.federation.rounds");
    assertThat(FederationSettingsHash.firstDifference(one, new java.util.TreeMap<>(SETTINGS))).isNull();
  }
}
