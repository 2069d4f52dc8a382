package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An admin's stop is one vote: three daemons over mutual TLS, and the federation stops only when a majority of
 * their admins (two of three) stopped their peers. After a's admin alone, b and d train on without waiting for a;
 * after b's too, d stops and says whose admins stopped it. Any authenticated peer can send the notice an admin's
 * stop sends (HostilePeerTest forges one), so one of them must not be enough.
 */
class AdminStopQuorumTest {
  private static final Duration WITHIN = Duration.ofSeconds(60);
  private final Map<String, Integer> http = new LinkedHashMap<>();

  @Test
  void theFederationStopsOnlyWhenAQuorumOfAdminsStoppedTheirPeers(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b", "d"));
    for (String id : peers.ids) http.put(id, TestPeers.freePort());
    Map<String, Map<String, String>> configs = new LinkedHashMap<>();
    for (String id : peers.ids) {
      Map<String, String> c = peers.config(id, http.get(id));
      c.put("ipa.federation.rounds", "500");
      c.put("ipa.peer.auto-start", "true");
      // Far longer than any wait below: a peer that waited a timeout for a stopped one would fail the test.
      c.put("ipa.federation.exchange-timeout", "2m");
      configs.put(id, c);
    }
    try (ApplicationContext a = PeerDaemon.start(TestPeers.args(configs.get("a")));
        ApplicationContext b = PeerDaemon.start(TestPeers.args(configs.get("b")));
        ApplicationContext d = PeerDaemon.start(TestPeers.args(configs.get("d")))) {
      TestPeers.awaitStatus(http.get("d"), WITHIN, s -> s.get("round").asInt() >= 1);

      assertThat(TestPeers.control(http.get("a"), "stop").get("changed").asBoolean()).isTrue();
      JsonNode sa = TestPeers.awaitStatus(http.get("a"), WITHIN, s -> s.get("state").asText().equals("stopped"));
      for (String id : List.of("b", "d")) {
        TestPeers.awaitStatus(http.get(id), WITHIN, s -> s.get("round").asInt() > sa.get("round").asInt() + 2);
        assertThat(TestPeers.status(http.get(id)).get("state").asText()).as("one admin's vote does not stop %s", id).isIn("training", "waiting");
      }

      assertThat(TestPeers.control(http.get("b"), "stop").get("changed").asBoolean()).isTrue();
      TestPeers.awaitStatus(http.get("b"), WITHIN, s -> s.get("state").asText().equals("stopped"));
      JsonNode sd = TestPeers.awaitStatus(http.get("d"), WITHIN, s -> s.get("state").asText().equals("stopped"));
      assertThat(sd.get("reason").asText()).as("two of three admins are a quorum").contains("the admins of a, b stopped the federation");
    }
  }
}
