package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.alignment.protocol.FederationSettings;
import dev.ipa.peer.config.PeerConfig;
import dev.ipa.peer.config.PeerConfigBinding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Micronaut binds the keys into records, and a file written from a {@link PeerConfig} configures that same record. */
class PeerConfigBindingTest {

  private static String[] args(Map<String, String> c) {
    List<String> a = new ArrayList<>();
    c.forEach((k, v) -> a.add("-" + k + "=" + v));
    return a.toArray(String[]::new);
  }

  @Test
  void unsetFederationKeysAreTheShippedDefaultsFromTheirOnePlace(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b"));
    Map<String, String> c = peers.config("a", 0);
    c.keySet().removeIf(k -> k.startsWith("ipa.federation."));
    PeerConfig config = PeerDaemon.checkConfiguration(args(c));
    // The daemon and the simulator share FederationSettings.defaults(), the exchange timeout included.
    assertThat(config.settings()).isEqualTo(FederationSettings.defaults());
    assertThat(config.settings().robust()).as("the defences are on by default").isEqualTo(dev.ipa.alignment.protocol.RobustSettings.defaults());
    assertThat(config.batch()).isEqualTo(PeerConfig.DEFAULTS.batch());
  }

  @Test
  void aWrittenFileReadsBackAsTheSameConfiguration(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b", "c"));
    Map<String, String> c = peers.config("b", 0);
    c.put("ipa.federation.lambda", "0.25");
    c.put("ipa.federation.distance", "l1");
    c.put("ipa.federation.mix", "0.5");
    c.put("ipa.federation.fair-share", "true");
    c.put("ipa.federation.codec", "sign");
    c.put("ipa.federation.topology", "ring");
    c.put("ipa.federation.early-stop", "target:0.9,patience:2");
    c.put("ipa.federation.staleness", "1");
    c.put("ipa.federation.exchange-timeout", "1500ms");
    c.put("ipa.peer.learning-rate", "0.002");
    c.put("ipa.peer.fine-tune-epochs", "1");
    c.put("ipa.transport.chunk-bytes", "65536");
    c.put("ipa.transport.dead-after", "20s");
    c.put("ipa.federation.robust.trim", "0.1");
    c.put("ipa.federation.robust.stop-quorum", "2");
    c.put("ipa.federation.robust.data-sizes", "a=100,b=200,c=300");
    c.put("ipa.federation.dp.epsilon", "4");
    c.put("ipa.federation.dp.delta", "1e-6");
    PeerConfig config = PeerDaemon.checkConfiguration(args(c));
    assertThat(config.settings().ipa().lambda()).isEqualTo(0.25);
    assertThat(config.settings().personal().fineTuneEpochs()).isEqualTo(1);
    assertThat(config.settings().ipa().fairShare()).isTrue();
    assertThat(config.settings().personal().ipaPersonal()).as("unset: the best of three").isEqualTo(dev.ipa.alignment.protocol.PersonalSettings.IpaPersonal.BEST);
    assertThat(config.settings().common().staleness()).isEqualTo(1);
    assertThat(config.transport().chunkBytes()).isEqualTo(65536);
    assertThat(config.settings().robust().trim()).isEqualTo(0.1);
    assertThat(config.settings().robust().stopQuorum()).isEqualTo(2);
    assertThat(config.settings().robust().clipFactor()).as("unset: the shipped default").isEqualTo(3.0);
    assertThat(config.settings().robust().dataSizes()).isEqualTo(Map.of("a", 100, "b", 200, "c", 300));
    assertThat(config.settings().dp().budget()).isEqualTo(4.0);
    assertThat(config.settings().dp().delta()).isEqualTo(1e-6);
    assertThat(config.settings().dp().sigma()).as("calibrated for rounds × syncs releases").isGreaterThan(1);

    Path file = dir.resolve("peer-b.yml");
    Files.writeString(file, PeerConfigBinding.toYaml(config, Map.of("server", Map.of("host", "127.0.0.1", "port", 0))));
    assertThat(Files.readString(file)).as("secrets stay out of written files").doesNotContain(TestPeers.PASSWORD)
        .contains("learning-rate: 0.002").contains("fine-tune-epochs: 1").contains("chunk-bytes: 65536").contains("robust:").contains("dp:");
    PeerConfig back = PeerDaemon.checkConfiguration("--config", file.toString(), "-ipa.admin.password=" + TestPeers.PASSWORD);
    assertThat(back).isEqualTo(config);
  }

  @Test
  void aBadPersonalModelKeyIsOneSentenceNamingIt(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b"));
    Map<String, String> c = peers.config("a", 0);
    c.put("ipa.peer.personal-model", "newest");
    assertThatThrownBy(() -> PeerDaemon.checkConfiguration(args(c))).hasMessageContaining("ipa.peer.personal-model")
        .hasMessageContaining("use best, fine-tuned or theta");
    c.put("ipa.peer.personal-model", "theta");
    c.put("ipa.peer.fine-tune-epochs", "0");
    assertThatThrownBy(() -> PeerDaemon.checkConfiguration(args(c))).hasMessageContaining("ipa.peer.fine-tune-epochs must be ≥ 1");
    c.put("ipa.peer.fine-tune-epochs", "2");
    assertThat(PeerDaemon.checkConfiguration(args(c)).settings().personal().ipaPersonal()).isEqualTo(dev.ipa.alignment.protocol.PersonalSettings.IpaPersonal.THETA);
  }
}
