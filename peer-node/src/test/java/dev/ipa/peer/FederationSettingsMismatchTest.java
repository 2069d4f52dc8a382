package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipa.peer.config.PeerConfig;
import dev.ipa.peer.config.PeerConfigBinding;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: two daemons with different federation settings federated without a word. The settings every peer must
 * share travel in the Hello; a daemon whose λ differs is refused with one sentence naming the key and both values,
 * and what each peer may choose for itself (its defences, DP, exchange timeout, data) is not compared.
 */
class FederationSettingsMismatchTest {

  @Test
  void aDaemonWithAnotherLambdaIsRefusedNamingTheKey(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b"));
    int httpA = TestPeers.freePort();
    int httpB = TestPeers.freePort();
    Map<String, String> a = peers.config("a", httpA);
    Map<String, String> b = peers.config("b", httpB);
    a.put("ipa.federation.lambda", "0.5");
    b.put("ipa.federation.lambda", "5");
    try (LogLines log = new LogLines("dev.ipa.transport");
        ApplicationContext ca = PeerDaemon.start(TestPeers.args(a));
        ApplicationContext cb = PeerDaemon.start(TestPeers.args(b))) {
      String sentence = "Peer b's federation settings differ from peer a's at ipa.federation.lambda: a has 0.5, b has 5.0; "
          + "make them equal on every peer";
      assertThat(await(() -> log.warnings().stream().anyMatch(w -> w.contains(sentence)))).as(String.join("\n", log.warnings())).isTrue();
      assertThat(TestPeers.get(httpA, "/api/peers", TestPeers.USER, TestPeers.PASSWORD).body()).contains("\"connected\":false");
    }
  }

  @Test
  void onlyTheSettingsThatMustMatchAreCompared(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b"));
    Map<String, String> c = peers.config("a", 0);
    PeerConfig plain = PeerDaemon.checkConfiguration(TestPeers.args(c));
    c.put("ipa.federation.exchange-timeout", "45s");
    c.put("ipa.federation.robust.trim", "0.1");
    c.put("ipa.federation.dp.clip", "1");
    c.put("ipa.federation.dp.sigma", "2");
    c.put("ipa.peer.learning-rate", "0.01");
    c.put("ipa.peer.shard-index", "3");
    PeerConfig ownChoices = PeerDaemon.checkConfiguration(TestPeers.args(c));
    SortedMap<String, String> shared = PeerConfigBinding.sharedSettings(plain);
    assertThat(PeerConfigBinding.sharedSettings(ownChoices)).as("per-peer settings are not compared").isEqualTo(shared);
    assertThat(shared).containsKeys("ipa.federation.algorithm", "ipa.federation.protocol", "ipa.federation.lambda",
        "ipa.federation.distance", "ipa.federation.weighting", "ipa.federation.normalise", "ipa.federation.extrapolate",
        "ipa.federation.mix", "ipa.federation.mu", "ipa.federation.syncs", "ipa.federation.staleness",
        "ipa.federation.topology", "ipa.federation.rounds", "ipa.federation.early-stop", "ipa.federation.codec",
        "ipa.federation.seed", "ipa.peer.partition", "ipa.peer.peers-in-partition")
        .doesNotContainKey("ipa.federation.exchange-timeout");
    assertThat(shared.keySet()).noneMatch(k -> k.startsWith("ipa.federation.robust") || k.startsWith("ipa.federation.dp"));
    assertThat(shared).containsEntry("ipa.federation.rounds", "2").containsEntry("ipa.peer.partition", "iid");

    c.put("ipa.federation.codec", "sign");
    assertThat(PeerConfigBinding.sharedSettings(PeerDaemon.checkConfiguration(TestPeers.args(c))))
        .containsEntry("ipa.federation.codec", "sign");
  }

  private static boolean await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) return false;
      Thread.sleep(50);
    }
    return true;
  }
}
