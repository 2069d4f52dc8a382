package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** start → pause → resume → stop through the admin API, with the history and checkpoints they leave. */
class ControlApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private int http;

  private JsonNode post(String action) throws Exception {
    var r = TestPeers.post(http, "/api/federation/" + action, TestPeers.USER, TestPeers.PASSWORD);
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private JsonNode get(String path) throws Exception {
    return JSON.readTree(TestPeers.get(http, path, TestPeers.USER, TestPeers.PASSWORD).body());
  }

  private JsonNode awaitStatus(Predicate<JsonNode> p) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      JsonNode s = get("/api/status");
      if (p.test(s)) return s;
      Thread.sleep(20);
    }
    throw new AssertionError("status never matched; last " + get("/api/status"));
  }

  @Test
  void startPauseResumeStop(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a"));
    http = TestPeers.freePort();
    Map<String, String> c = peers.config("a", http);
    c.put("ipa.federation.rounds", "500");
    try (ApplicationContext ctx = PeerDaemon.start(TestPeers.args(c))) {
      assertThat(get("/api/status").get("state").asText()).isEqualTo("idle");
      assertThat(post("start").get("changed").asBoolean()).isTrue();
      awaitStatus(s -> s.get("round").asInt() >= 0 && s.get("state").asText().equals("training"));

      assertThat(post("pause").get("changed").asBoolean()).isTrue();
      JsonNode paused = awaitStatus(s -> s.get("state").asText().equals("paused") && s.get("paused").asBoolean());
      Thread.sleep(300);
      assertThat(get("/api/status").get("round").asInt()).as("no round runs while paused").isEqualTo(paused.get("round").asInt());

      assertThat(post("resume").get("changed").asBoolean()).isTrue();
      awaitStatus(s -> s.get("round").asInt() > paused.get("round").asInt());

      assertThat(post("stop").get("changed").asBoolean()).isTrue();
      JsonNode stopped = awaitStatus(s -> s.get("state").asText().equals("stopped"));
      assertThat(post("start").get("changed").asBoolean()).as("a stopped federation does not restart in-process").isFalse();

      int last = stopped.get("round").asInt();
      List<Integer> rounds = new ArrayList<>();
      get("/api/rounds").forEach(r -> rounds.add(r.get("round").asInt()));
      assertThat(rounds).hasSize(last + 1);
      for (int i = 0; i <= last; i++) assertThat(rounds.get(i)).isEqualTo(i);
      try (var files = Files.list(dir.resolve("ckpt-a"))) {
        List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
        assertThat(names).last().isEqualTo(String.format("round-%06d.ckpt", last));
        assertThat(names).hasSizeLessThanOrEqualTo(2);
      }
      assertThat(stopped.get("reason").asText()).startsWith("Stopped by the admin after round " + last);
      JsonNode fairness = get("/api/fairness");
      assertThat(fairness.get("roundsCompleted").asInt()).isEqualTo(last + 1);
      assertThat(fairness.get("bestRound").asInt()).isBetween(0, last);
      assertThat(fairness.get("finalAccuracy").asDouble()).isEqualTo(stopped.get("accuracy").asDouble());
      assertThat(fairness.get("privacyBudget").isNull()).as("no DP, no budget").isTrue();
    }
  }
}
