package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipa.peer.checkpoint.RoundSummary;
import dev.ipa.peer.federation.PeerNode;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restarted peer continues at round + 1 from its checkpoint, exactly where an uninterrupted run would be. */
class ResumeTest {

  private static List<RoundSummary> run(Map<String, String> c, int rounds) throws Exception {
    c.put("ipa.federation.rounds", String.valueOf(rounds));
    c.put("ipa.peer.auto-start", "true");
    try (ApplicationContext ctx = PeerDaemon.start(TestPeers.args(c))) {
      PeerNode node = ctx.getBean(PeerNode.class);
      node.join(Duration.ofMinutes(2));
      assertThat(node.status().state()).isEqualTo("finished");
      assertThat(node.status().error()).isNull();
      return node.history();
    }
  }

  @Test
  void resumesAtTheNextRoundWithContiguousHistoryAndTheSameModel(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a"));
    Map<String, String> straight = peers.config("a", TestPeers.freePort());
    straight.put("ipa.peer.checkpoint-dir", dir.resolve("straight").toString());
    List<RoundSummary> uninterrupted = run(straight, 3);
    assertThat(uninterrupted).extracting(RoundSummary::round).containsExactly(0, 1, 2);

    Map<String, String> c = peers.config("a", TestPeers.freePort());
    c.put("ipa.peer.checkpoint-dir", dir.resolve("restarted").toString());
    List<RoundSummary> first = run(c, 2);
    assertThat(first).extracting(RoundSummary::round).containsExactly(0, 1);
    List<RoundSummary> resumed = run(c, 3);
    assertThat(resumed).extracting(RoundSummary::round).containsExactly(0, 1, 2);
    assertThat(resumed.subList(0, 2)).isEqualTo(first);
    // Parameters, Adam moments and the trainer's position were all restored: round 2 matches bit for bit.
    assertThat(resumed.get(2).trainLoss()).isEqualTo(uninterrupted.get(2).trainLoss());
    assertThat(resumed.get(2).testAccuracy()).isEqualTo(uninterrupted.get(2).testAccuracy());
    assertThat(resumed.get(2).testLoss()).isEqualTo(uninterrupted.get(2).testLoss());

    // A finished federation restarted again does no round twice.
    assertThat(run(c, 3)).isEqualTo(resumed);
  }
}
