package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class PinComparisonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GOLDEN = """
      {"rounds":[{"round":1,"peers":[{"id":"peer0","accuracy":0.437,"loss":3.5,"trainLoss":0.75,"bytesSent":3187864,
       "bytesPerExchange":796966.0,"stopped":false}]}],"stops":[]}""";

  private static JsonNode golden() throws Exception {
    return JSON.readTree(GOLDEN);
  }

  private static JsonNode with(String from, String to) throws Exception {
    return JSON.readTree(GOLDEN.replace(from, to));
  }

  @Test
  void roundingNoiseFromAnotherMachineIsWithinTheTolerances() throws Exception {
    JsonNode moved = with("0.437", "0.4255").deepCopy();
    moved = JSON.readTree(moved.toString().replace("3.5", "5.1").replace("0.75", "0.80"));
    assertThat(PinComparison.tolerant(golden(), moved)).isEmpty();
    assertThat(PinComparison.exact(golden(), moved))
        .containsExactly("/rounds/0/peers/0/accuracy: 0.4255, golden 0.437", "/rounds/0/peers/0/loss: 5.1, golden 3.5",
            "/rounds/0/peers/0/trainLoss: 0.8, golden 0.75");
  }

  @Test
  void aChangeInBehaviourIsCaughtEvenWithTolerances() throws Exception {
    assertThat(PinComparison.tolerant(golden(), with("0.437", "0.337"))).singleElement().asString()
        .startsWith("/rounds/0/peers/0/accuracy: 0.337, golden 0.437");
    assertThat(PinComparison.tolerant(golden(), with("3.5", "7.5"))).hasSize(1);
    assertThat(PinComparison.tolerant(golden(), with("0.75", "1.0"))).hasSize(1);
    assertThat(PinComparison.tolerant(golden(), with("3187864", "3187865")))
        .containsExactly("/rounds/0/peers/0/bytesSent: 3187865, golden 3187864");
    assertThat(PinComparison.tolerant(golden(), with("796966.0", "796967.0"))).hasSize(1);
    assertThat(PinComparison.tolerant(golden(), with("\"stopped\":false", "\"stopped\":true"))).hasSize(1);
    assertThat(PinComparison.tolerant(golden(), with("\"stops\":[]", "\"stops\":[{\"peer\":\"peer0\"}]")))
        .containsExactly("/stops: 1 entries, golden 0");
    assertThat(PinComparison.tolerant(golden(), with("\"trainLoss\":0.75,", "")))
        .containsExactly("/rounds/0/peers/0/trainLoss: missing");
    assertThat(PinComparison.tolerant(golden(), with("0.437", "null"))).isNotEmpty();
  }

  @Test
  void theMachineNamesItsCpuAndFlags() {
    assertThat(PinComparison.machine()).matches(".+, flags [0-9a-f]{12}").isEqualTo(PinComparison.machine());
  }
}
