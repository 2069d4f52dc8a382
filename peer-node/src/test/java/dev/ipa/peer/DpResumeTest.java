package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ipa.alignment.protocol.FederationSettings;
import dev.ipa.alignment.protocol.GaussianDpAccountant;
import dev.ipa.peer.checkpoint.RoundSummary;
import dev.ipa.peer.federation.PeerNode;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DP accountant survives a restart: two daemons over mutual TLS run 2 rounds with differential privacy and a
 * budget that allows 3 rounds of releases, stop, and are restarted from their checkpoints for 4 rounds. ε carries
 * on from what the first run spent (a restarted accountant counting from zero would show 2 rounds' worth after
 * round 3), and the peer still refuses to publish past the budget: round 3 spends nothing more.
 */
class DpResumeTest {
  private static final double SIGMA = 2;
  private static final double DELTA = 1e-5;

  @Test
  void epsilonCarriesOnAcrossARestartAndTheBudgetStaysSpent(@TempDir Path dir) throws Exception {
    int syncs = FederationSettings.defaults().common().syncs();
    double threeRounds = epsilonAfter(3 * syncs);
    TestPeers peers = new TestPeers(dir, List.of("a", "b"));
    Map<String, Map<String, String>> configs = new LinkedHashMap<>();
    for (String id : peers.ids) {
      Map<String, String> c = peers.config(id, TestPeers.freePort());
      c.put("ipa.peer.auto-start", "true");
      c.put("ipa.federation.dp.clip", "1");
      c.put("ipa.federation.dp.sigma", String.valueOf(SIGMA));
      c.put("ipa.federation.dp.delta", String.valueOf(DELTA));
      // A hair above three rounds' spend: the fourth round's first release would exceed it.
      c.put("ipa.federation.dp.budget", String.valueOf(threeRounds * (1 + 1e-9)));
      configs.put(id, c);
    }
    List<RoundSummary> first = run(configs, 2).get("a");
    assertThat(first.get(1).epsilon()).isCloseTo(epsilonAfter(2 * syncs), within(1e-9));

    Map<String, List<RoundSummary>> resumed = run(configs, 4);
    for (String id : peers.ids) {
      List<RoundSummary> h = resumed.get(id);
      assertThat(h).extracting(RoundSummary::round).containsExactly(0, 1, 2, 3);
      assertThat(h.get(2).epsilon()).as("%s: ε after round 2 counts the first run's releases", id).isCloseTo(threeRounds, within(1e-9));
      assertThat(h.get(3).epsilon()).as("%s publishes nothing new past its budget", id).isCloseTo(threeRounds, within(1e-9));
    }
  }

  private static double epsilonAfter(int releases) {
    return GaussianDpAccountant.epsilon(GaussianDpAccountant.mu(SIGMA, releases), DELTA);
  }

  /** Runs both daemons to {@code rounds} (resuming from their checkpoints) and returns each one's history. */
  private static Map<String, List<RoundSummary>> run(Map<String, Map<String, String>> configs, int rounds) throws Exception {
    configs.values().forEach(c -> c.put("ipa.federation.rounds", String.valueOf(rounds)));
    try (ApplicationContext a = PeerDaemon.start(TestPeers.args(configs.get("a")));
        ApplicationContext b = PeerDaemon.start(TestPeers.args(configs.get("b")))) {
      Map<String, List<RoundSummary>> out = new LinkedHashMap<>();
      for (var e : Map.of("a", a, "b", b).entrySet()) {
        PeerNode node = e.getValue().getBean(PeerNode.class);
        node.join(Duration.ofMinutes(2));
        assertThat(node.status().state()).as(node.status().reason()).isEqualTo("finished");
        assertThat(node.status().epsilon()).as("/api/status reports the last round's ε").isEqualTo(node.history().get(rounds - 1).epsilon());
        assertThat(node.status().delta()).isEqualTo(DELTA);
        out.put(e.getKey(), node.history());
      }
      return out;
    }
  }
}
