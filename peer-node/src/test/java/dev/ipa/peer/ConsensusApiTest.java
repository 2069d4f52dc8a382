package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipa.peer.checkpoint.RoundSummary;
import dev.ipa.peer.federation.PeerNode;
import io.micronaut.context.ApplicationContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two IPA daemons over mutual TLS: each keeps, evaluates and serves its consensus model (the data-size weighted
 * mean of its θ and the other's snapshot) beside its personal model, in /api/rounds, /api/status, /prometheus and
 * /api/model?which=consensus, and a restart serves the same consensus from the checkpoint.
 */
class ConsensusApiTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static byte[] model(int port, String query) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/model" + query))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((TestPeers.USER + ":" + TestPeers.PASSWORD).getBytes()))
        .build();
    HttpResponse<byte[]> resp = HTTP.send(r, HttpResponse.BodyHandlers.ofByteArray());
    assertThat(resp.statusCode()).as(new String(resp.body())).isEqualTo(200);
    return resp.body();
  }

  @Test
  void eachPeerEvaluatesAndServesItsConsensusBesideItsOwnModel(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b"));
    int ha = TestPeers.freePort();
    int hb = TestPeers.freePort();
    Map<String, String> ca = peers.config("a", ha);
    Map<String, String> cb = peers.config("b", hb);
    for (Map<String, String> c : List.of(ca, cb)) c.put("ipa.peer.auto-start", "true");
    CompletableFuture<ApplicationContext> fb = CompletableFuture.supplyAsync(() -> PeerDaemon.start(TestPeers.args(cb)));
    byte[] consensus;
    byte[] personal;
    try (ApplicationContext a = PeerDaemon.start(TestPeers.args(ca)); ApplicationContext b = fb.join()) {
      PeerNode node = a.getBean(PeerNode.class);
      node.join(Duration.ofMinutes(2));
      b.getBean(PeerNode.class).join(Duration.ofMinutes(2));
      assertThat(node.status().state()).isEqualTo("finished");
      List<RoundSummary> h = node.history();
      assertThat(h).hasSize(2);
      assertThat(h).allSatisfy(r -> assertThat(r.consensusTestAccuracy()).isBetween(0.0, 1.0));
      assertThat(h.get(1).consensusTestLoss()).isPositive();
      // The personal model (the own model, or θ or the consensus fine-tuned) is evaluated on the peer's own held-out data.
      assertThat(h).allSatisfy(r -> assertThat(r.personalAccuracy()).isBetween(0.0, 1.0));
      assertThat(h).allSatisfy(r -> assertThat(r.consensusPersonalAccuracy()).isBetween(0.0, 1.0));
      // The own model, trained alone beside θ, is the local-only baseline on the same data.
      assertThat(h).allSatisfy(r -> assertThat(r.localOnlyPersonalAccuracy()).isBetween(0.0, 1.0));
      JsonNode fairness = new ObjectMapper().readTree(TestPeers.get(ha, "/api/fairness", TestPeers.USER, TestPeers.PASSWORD).body());
      assertThat(fairness.get("localOnlyAccuracy").asDouble()).isEqualTo(h.get(1).localOnlyPersonalAccuracy());
      assertThat(fairness.get("gainOverLocalOnly").asDouble()).isCloseTo(h.get(1).personalAccuracy() - h.get(1).localOnlyPersonalAccuracy(),
          org.assertj.core.api.Assertions.within(1e-12));

      JsonNode rounds = new ObjectMapper().readTree(TestPeers.get(ha, "/api/rounds", TestPeers.USER, TestPeers.PASSWORD).body());
      assertThat(rounds.toString()).contains("\"consensusTestAccuracy\":" + h.get(1).consensusTestAccuracy());
      JsonNode status = TestPeers.status(ha);
      assertThat(status.get("consensusAccuracy").asDouble()).isEqualTo(h.get(1).consensusTestAccuracy());
      assertThat(status.get("personalAccuracy").asDouble()).isEqualTo(h.get(1).personalAccuracy());
      String metrics = TestPeers.get(ha, "/prometheus", TestPeers.USER, TestPeers.PASSWORD).body();
      String gauge = metrics.lines().filter(l -> l.startsWith("ipa_consensus_accuracy")).findFirst().orElseThrow();
      assertThat(Double.parseDouble(gauge.substring(gauge.lastIndexOf(' ') + 1)))
          .isCloseTo(h.get(1).consensusTestAccuracy(), org.assertj.core.api.Assertions.within(1e-9));

      consensus = model(ha, "?which=consensus");
      personal = model(ha, "");
      assertThat(consensus).as("the consensus is not the peer's own model").isNotEqualTo(personal);
      assertThat(model(ha, "?which=personal")).isEqualTo(personal);
      assertThat(model(ha, "?which=consensus&format=onnx")).isNotEmpty();
      HttpResponse<String> bad = TestPeers.get(ha, "/api/model?which=global", TestPeers.USER, TestPeers.PASSWORD);
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("Unknown model 'global'; use which=personal (the default) or which=consensus.");
    }
    // Restarted on its checkpoint (the federation is finished, so nothing runs): the same consensus is served, and the
    // personal model, made again from the checkpoint's θ, moments and data cursor, is the same bit for bit.
    try (ApplicationContext a = PeerDaemon.start(TestPeers.args(ca))) {
      assertThat(model(ha, "?which=consensus")).isEqualTo(consensus);
      assertThat(model(ha, "")).isEqualTo(personal);
    }
  }
}
