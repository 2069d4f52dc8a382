package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Each bad configuration stops start-up with one sentence that names the problem. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadConfigurationTest {
  TestPeers peers;

  @BeforeAll
  void certificates(@TempDir Path dir) throws Exception {
    peers = new TestPeers(dir, List.of("a", "b"));
  }

  private String failure(Consumer<Map<String, String>> change) throws Exception {
    Map<String, String> c = peers.config("a", TestPeers.freePort());
    change.accept(c);
    PeerDaemon.StartupFailure f = catchThrowableOfType(PeerDaemon.StartupFailure.class, () -> PeerDaemon.start(TestPeers.args(c)).close());
    assertThat(f).as("start-up should fail").isNotNull();
    String msg = f.getMessage();
    assertThat(msg).doesNotContain("\n").endsWith(".");
    assertThat(msg).doesNotContainIgnoringCase("bean");
    return msg;
  }

  @Test
  void missingDataDirectory() throws Exception {
    assertThat(failure(c -> c.put("ipa.peer.data", "/no/such/fashion-mnist")))
        .contains("/no/such/fashion-mnist").contains("ipa.peer.data").contains("does not exist");
  }

  @Test
  void aLoginBackOffThatCannotWork() throws Exception {
    assertThat(failure(c -> {
      c.put("ipa.admin.login-backoff", "10s");
      c.put("ipa.admin.login-backoff-max", "1s");
    })).isEqualTo("ipa.admin.login-backoff-max (PT1S) must not be shorter than ipa.admin.login-backoff (PT10S).");
    assertThat(failure(c -> c.put("ipa.admin.login-failures", "0"))).startsWith("ipa.admin.login-failures must be ≥ 1");
  }

  @Test
  void dataPathNotSet() throws Exception {
    assertThat(failure(c -> c.put("ipa.peer.data", ""))).contains("ipa.peer.data is missing");
  }

  @Test
  void badImageAndMetricKeysNameThemselves() throws Exception {
    assertThat(failure(c -> c.put("ipa.peer.image-size", "big"))).contains("ipa.peer.image-size").contains("write HEIGHTxWIDTH");
    assertThat(failure(c -> c.put("ipa.peer.channels", "2"))).contains("ipa.peer").contains("1 (grey) or 3 (RGB)");
    assertThat(failure(c -> c.put("ipa.peer.class-weights", "inverse"))).contains("ipa.peer.class-weights").contains("use none or balanced");
    assertThat(failure(c -> c.put("ipa.federation.metric", "f1"))).contains("ipa.federation.metric").contains("macro-f1");
  }

  @Test
  void peerPortInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(failure(c -> c.put("ipa.peer.listen", "127.0.0.1:" + taken.getLocalPort())))
          .contains("cannot listen on").contains(String.valueOf(taken.getLocalPort()));
    }
  }

  @Test
  void peerListedTwice() throws Exception {
    assertThat(failure(c -> c.put("ipa.peer.peers", "b=127.0.0.1:7002,b=127.0.0.1:7003"))).contains("Peer 'b' is listed twice");
  }

  @Test
  void unreadableCertificate(@TempDir Path bad) throws Exception {
    Files.writeString(bad.resolve("ca.crt"), "not a certificate");
    Files.writeString(bad.resolve("peer.crt"), "not a certificate");
    Files.writeString(bad.resolve("peer.key"), "not a key");
    assertThat(failure(c -> c.put("ipa.peer.tls-dir", bad.toString()))).contains("is not a PEM X.509 certificate");
  }

  @Test
  void certificateOfAnotherPeer() throws Exception {
    assertThat(failure(c -> c.put("ipa.peer.tls-dir", peers.dir.resolve("certs").resolve("b").toString())))
        .contains("names peer 'b'").contains("this peer is 'a'");
  }

  @Test
  void certificateOfAnotherFederation() throws Exception {
    // The test certificates were issued for federation "test".
    assertThat(failure(c -> c.put("ipa.peer.federation", "other"))).contains("issued for federation 'test'")
        .contains("joins 'other'");
  }

  @Test
  void negativeLambda() throws Exception {
    assertThat(failure(c -> c.put("ipa.federation.lambda", "-0.5"))).contains("ipa.federation").contains("λ").contains("-0.5");
  }

  @Test
  void aSimulationOnlyBaselineIsRefusedByTheDaemon() throws Exception {
    assertThat(failure(c -> c.put("ipa.federation.algorithm", "ditto"))).contains("ipa.federation.algorithm: ditto is a simulation baseline")
        .contains("a daemon runs ipa, fedavg, fedprox or local");
  }

  @Test
  void negativeStalenessAndUnknownProtocol() throws Exception {
    assertThat(failure(c -> c.put("ipa.federation.staleness", "-1"))).contains("ipa.federation.staleness must be ≥ 0");
    assertThat(failure(c -> c.put("ipa.federation.protocol", "gossip"))).contains("Unknown protocol 'gossip'");
  }

  @Test
  void negativeProximalStepAndProximalStepInTheRing() throws Exception {
    assertThat(failure(c -> c.put("ipa.federation.mix", "-1"))).contains("ipa.federation").contains("--mix").contains("≥ 0");
    assertThat(failure(c -> {
      c.put("ipa.federation.mix", "1");
      c.put("ipa.federation.protocol", "ring");
    })).contains("parallel protocol");
  }

  @Test
  void theFairShareWithoutAnOwnModel() throws Exception {
    assertThat(failure(c -> {
      c.put("ipa.federation.fair-share", "true");
      c.put("ipa.peer.personal-model", "fine-tuned");
    })).contains("--fair-share").contains("fine-tuned keeps no own model").contains("ipa.peer.personal-model: best");
  }

  @Test
  void aValueOfTheWrongTypeNamesItsKey() throws Exception {
    assertThat(failure(c -> c.put("ipa.federation.lambda", "abc"))).contains("ipa.federation.lambda").contains("'abc'").contains("number");
    assertThat(failure(c -> c.put("ipa.peer.batch", "many"))).contains("ipa.peer.batch").contains("'many'").contains("whole number");
    assertThat(failure(c -> c.put("ipa.federation.exchange-timeout", "soon"))).contains("ipa.federation.exchange-timeout").contains("'soon'");
  }

  @Test
  void aMistypedKeyIsRefusedWithTheKeyItMeant() throws Exception {
    assertThat(failure(c -> c.put("ipa.federation.lamda", "5"))).contains("Unknown configuration key ipa.federation.lamda")
        .contains("did you mean ipa.federation.lambda");
    assertThat(failure(c -> c.put("ipa.peer.learning-rat", "0.1"))).contains("did you mean ipa.peer.learning-rate");
  }

  @Test
  void transportLimitsAreReadAndValidated() throws Exception {
    assertThat(failure(c -> c.put("ipa.transport.max-frame-bytes", "100"))).contains("ipa.transport").contains("maximum frame size").contains("100");
    assertThat(failure(c -> {
      c.put("ipa.transport.heartbeat-interval", "20s");
      c.put("ipa.transport.dead-after", "10s");
    })).contains("ipa.transport").contains("dead-after");
  }

  @Test
  void aShortAdminPassword() throws Exception {
    assertThat(failure(c -> c.put("ipa.admin.password", "x"))).contains("ipa.admin.password has 1 character;").contains("at least 8");
  }

  @Test
  void noAdminCredentials() throws Exception {
    assertThat(failure(c -> c.remove("ipa.admin.password"))).contains("ipa.admin.password");
  }

  @Test
  void missingConfigurationFile() {
    PeerDaemon.StartupFailure f = catchThrowableOfType(PeerDaemon.StartupFailure.class, () -> PeerDaemon.start("--config", "/no/such/peer.yml"));
    assertThat(f.getMessage()).contains("/no/such/peer.yml").contains("does not exist");
  }
}
