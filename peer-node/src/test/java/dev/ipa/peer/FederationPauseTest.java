package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pause and stop reach the whole federation over the transport: pausing one peer pauses its neighbour after the
 * same round instead of leaving it waiting an exchange timeout; resuming either resumes both; a per-peer pause
 * leaves the neighbour reporting whom it waits for; an admin's stop stops its own peer, and the other goes on without
 * it (stopping a federation takes a quorum of admins, {@link AdminStopQuorumTest}).
 */
class FederationPauseTest {
  private final Map<String, Integer> http = new LinkedHashMap<>();

  @Test
  void pauseResumeAndStopReachEveryPeer(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b"));
    for (String id : peers.ids) http.put(id, TestPeers.freePort());
    Map<String, String> ca = peers.config("a", http.get("a"));
    Map<String, String> cb = peers.config("b", http.get("b"));
    for (Map<String, String> c : List.of(ca, cb)) {
      c.put("ipa.federation.rounds", "500");
      c.put("ipa.peer.auto-start", "true");
      // Far longer than any wait below: a peer that stalled for a timeout would fail the test.
      c.put("ipa.federation.exchange-timeout", "2m");
    }
    try (ApplicationContext a = PeerDaemon.start(TestPeers.args(ca)); ApplicationContext b = PeerDaemon.start(TestPeers.args(cb))) {
      await("b", s -> s.get("round").asInt() >= 1);

      assertThat(post("a", "pause").get("changed").asBoolean()).isTrue();
      JsonNode pa = await("a", s -> s.get("state").asText().equals("paused"));
      JsonNode pb = await("b", s -> s.get("state").asText().equals("paused"));
      assertThat(pb.get("reason").asText()).contains("a's admin, for the whole federation");
      assertThat(Math.abs(pa.get("round").asInt() - pb.get("round").asInt())).as("both pause after the same round").isLessThanOrEqualTo(1);
      Thread.sleep(500);
      assertThat(status("b").get("round").asInt()).as("no round runs while paused").isEqualTo(pb.get("round").asInt());

      assertThat(post("b", "resume").get("changed").asBoolean()).as("any peer may resume the federation").isTrue();
      await("a", s -> s.get("round").asInt() > pa.get("round").asInt() + 1);
      await("b", s -> s.get("round").asInt() > pb.get("round").asInt() + 1);

      assertThat(post("a", "pause?scope=peer").get("changed").asBoolean()).isTrue();
      await("a", s -> s.get("state").asText().equals("paused") && s.get("reason").asText().contains("this peer only"));
      JsonNode waiting = await("b", s -> s.get("state").asText().equals("waiting"));
      assertThat(waiting.get("waitingFor").toString()).isEqualTo("[\"a (paused)\"]");
      assertThat(waiting.get("reason").asText()).isEqualTo("Waiting for a (paused).");

      // One admin's stop is one vote of the two a federation of two needs: a leaves, b goes on without waiting for it.
      assertThat(post("a", "stop").get("changed").asBoolean()).isTrue();
      JsonNode sa = await("a", s -> s.get("state").asText().equals("stopped"));
      await("b", s -> s.get("round").asInt() > sa.get("round").asInt() + 2);
      assertThat(status("b").get("state").asText()).as("one admin cannot stop the other peer").isIn("training", "waiting");
      assertThat(post("b", "stop").get("changed").asBoolean()).isTrue();
      JsonNode sb = await("b", s -> s.get("state").asText().equals("stopped"));
      assertThat(sb.get("reason").asText()).contains("Stopped by the admin");
    }
  }

  private JsonNode status(String id) throws Exception {
    return TestPeers.status(http.get(id));
  }

  private JsonNode post(String id, String action) throws Exception {
    return TestPeers.control(http.get(id), action);
  }

  private JsonNode await(String id, Predicate<JsonNode> p) throws Exception {
    return TestPeers.awaitStatus(http.get(id), Duration.ofSeconds(40), p);
  }
}
