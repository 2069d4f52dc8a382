package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiTest {
  ApplicationContext daemon;
  int http;

  @BeforeAll
  void startPeerAlone(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b"));
    http = TestPeers.freePort();
    Map<String, String> c = peers.config("a", http);
    daemon = PeerDaemon.start(TestPeers.args(c));
  }

  @AfterAll
  void stop() {
    if (daemon != null) daemon.close();
  }

  @Test
  void everyApiEndpointAnswers401WithoutCredentials() throws Exception {
    for (String path : List.of("/api/status", "/api/peers", "/api/rounds", "/api/fairness", "/api/model", "/api/model/provenance")) {
      assertThat(TestPeers.get(http, path, null, null).statusCode()).as(path).isEqualTo(401);
    }
  }

  @Test
  void wrongCredentialsAreRejected() throws Exception {
    assertThat(TestPeers.get(http, "/api/status", TestPeers.USER, "wrong").statusCode()).isIn(401, 403);
    assertThat(TestPeers.get(http, "/api/status", "someone", TestPeers.PASSWORD).statusCode()).isIn(401, 403);
  }

  @Test
  void statusWithCredentialsShowsAnIdlePeer() throws Exception {
    HttpResponse<String> r = TestPeers.get(http, "/api/status", TestPeers.USER, TestPeers.PASSWORD);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"peerId\":\"a\"").contains("\"state\":\"idle\"").contains("\"round\":-1");
  }

  @Test
  void peersListsTheDisconnectedNeighbour() throws Exception {
    HttpResponse<String> r = TestPeers.get(http, "/api/peers", TestPeers.USER, TestPeers.PASSWORD);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"peerId\":\"b\"").contains("\"connected\":false");
  }

  @Test
  void postWithoutCredentialsChangesNothing() throws Exception {
    assertThat(TestPeers.post(http, "/api/federation/start", null, null).statusCode()).isEqualTo(401);
    assertThat(TestPeers.post(http, "/api/federation/stop", TestPeers.USER, "wrong").statusCode()).isIn(401, 403);
    Thread.sleep(200);
    assertThat(TestPeers.get(http, "/api/status", TestPeers.USER, TestPeers.PASSWORD).body()).contains("\"state\":\"idle\"");
  }

  @Test
  void unknownActionIsABadRequest() throws Exception {
    HttpResponse<String> r = TestPeers.post(http, "/api/federation/explode", TestPeers.USER, TestPeers.PASSWORD);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Unknown action");
  }

  @Test
  void modelIsServedPackedAndWithProvenance() throws Exception {
    HttpResponse<String> p = TestPeers.get(http, "/api/model/provenance", TestPeers.USER, TestPeers.PASSWORD);
    assertThat(p.statusCode()).isEqualTo(200);
    assertThat(p.body()).contains("\"peerId\":\"a\"").contains("codeVersion").contains("\"federation.algorithm\":\"")
        .contains("\"compression.codec\":\"").contains("\"peer.model\":\"").contains("\"alignedTo\":{");
    HttpResponse<String> m = TestPeers.get(http, "/api/model", TestPeers.USER, TestPeers.PASSWORD);
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("octet-stream"));
  }

  @Test
  void openApiDocumentAndSwaggerUiAreServedWithoutCredentials() throws Exception {
    HttpResponse<String> spec = TestPeers.get(http, "/swagger/ipa-peer-0.1.yml", null, null);
    assertThat(spec.statusCode()).isEqualTo(200);
    assertThat(spec.body()).contains("/api/status").contains("/api/federation/{action}").contains("basicAuth");
    assertThat(TestPeers.get(http, "/swagger-ui/index.html", null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void healthIsOpenAndMetricsAreExported() throws Exception {
    assertThat(TestPeers.get(http, "/health", null, null).statusCode()).isEqualTo(200);
    HttpResponse<String> m = TestPeers.get(http, "/prometheus", null, null);
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.body()).contains("ipa_round").contains("ipa_peer_bytes_sent_bytes_total{peer=\"b\"").contains("ipa_checkpoint_duration");
  }
}
