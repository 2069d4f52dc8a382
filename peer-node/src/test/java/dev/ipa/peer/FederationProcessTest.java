package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three daemons as separate JVMs on 127.0.0.1 with mutual TLS and disjoint shards of the embedded data: the
 * federation completes, and a peer killed with SIGKILL mid-run and restarted resumes from its checkpoint with a
 * contiguous history (no round lost, none done twice).
 */
class FederationProcessTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROUNDS = 6;

  private final Map<String, Process> processes = new LinkedHashMap<>();
  private final Map<String, Integer> http = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> configs = new LinkedHashMap<>();
  private Path dir;

  @AfterEach
  void killAll() {
    processes.values().forEach(Process::destroyForcibly);
  }

  private void launch(String id, int generation) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-cp", System.getProperty("java.class.path"), PeerDaemon.class.getName()));
    cmd.addAll(List.of(TestPeers.args(configs.get(id))));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(id + "-" + generation + ".log").toFile());
    pb.environment().put("OMP_NUM_THREADS", "1");
    processes.put(id, pb.start());
  }

  private JsonNode api(String id, String path) throws Exception {
    HttpResponse<String> r = TestPeers.get(http.get(id), path, TestPeers.USER, TestPeers.PASSWORD);
    assertThat(r.statusCode()).as(id + path).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** Polls {@code id}'s status until {@code done} holds; fails with the peer's log if it does not in time. */
  private JsonNode await(String id, Predicate<JsonNode> done, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        JsonNode s = api(id, "/api/status");
        if (done.test(s)) return s;
      } catch (IOException notUpYet) {
        // The JVM is still starting.
      }
      assertThat(processes.get(id).isAlive()).as("peer " + id + " exited early: " + logs()).isTrue();
      Thread.sleep(250);
    }
    throw new AssertionError("Peer " + id + " did not get there within " + timeout + ": " + logs());
  }

  private String logs() throws IOException {
    StringBuilder b = new StringBuilder();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
        List<String> lines = Files.readAllLines(f);
        b.append("\n--- ").append(f.getFileName()).append('\n').append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
      }
    }
    return b.toString();
  }

  private static List<Integer> rounds(JsonNode history) {
    List<Integer> out = new ArrayList<>();
    history.forEach(r -> out.add(r.get("round").asInt()));
    return out;
  }

  @Test
  void threeDaemonsCompleteAFederationAndAKilledPeerResumesWithContiguousHistory(@TempDir Path tmp) throws Exception {
    dir = tmp;
    List<String> ids = List.of("a", "b", "c");
    TestPeers peers = new TestPeers(dir, ids);
    for (String id : ids) {
      http.put(id, TestPeers.freePort());
      Map<String, String> c = peers.config(id, http.get(id));
      c.put("ipa.peer.partition", "disjoint");
      c.put("ipa.peer.peers-in-partition", "3");
      c.put("ipa.peer.model", "mlp:100");
      c.put("ipa.peer.auto-start", "true");
      c.put("ipa.federation.rounds", String.valueOf(ROUNDS));
      c.put("ipa.federation.exchange-timeout", "20s");
      configs.put(id, c);
      launch(id, 0);
    }

    // Kill c with SIGKILL once it has checkpointed a round, while the federation is running.
    await("c", s -> s.get("round").asInt() >= 1, Duration.ofSeconds(90));
    JsonNode beforeKill = api("c", "/api/rounds");
    processes.get("c").destroyForcibly().waitFor();
    launch("c", 1);

    for (String id : ids) await(id, s -> s.get("state").asText().equals("finished"), Duration.ofSeconds(150));
    for (String id : ids) {
      JsonNode history = api(id, "/api/rounds");
      assertThat(rounds(history)).as("history of " + id).containsExactly(0, 1, 2, 3, 4, 5);
      JsonNode error = api(id, "/api/status").path("error");
      assertThat(error.isMissingNode() || error.isNull()).as(id + " failed: " + error).isTrue();
    }
    // The restarted c kept what it had checkpointed before the kill, unchanged.
    JsonNode after = api("c", "/api/rounds");
    int kept = Math.min(beforeKill.size(), 2);
    for (int r = 0; r < kept; r++) assertThat(after.get(r)).isEqualTo(beforeKill.get(r));
    assertThat(Files.readString(dir.resolve("c-1.log"))).contains("resuming at round");
    // Every peer heard from both others over TLS in the first round, and learned more than chance.
    for (String id : List.of("a", "b")) {
      JsonNode first = api(id, "/api/rounds").get(0);
      assertThat(first.get("failures")).as(id + " round 0 failures").isEmpty();
      assertThat(api(id, "/api/status").get("accuracy").asDouble()).isGreaterThan(0.15); // chance is 0.1; each shard holds only 3-4 of the 10 classes
      for (JsonNode link : api(id, "/api/peers")) assertThat(link.get("bytesIn").asLong()).isPositive();
    }
  }
}
