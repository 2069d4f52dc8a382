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
      HttpResponse<String> r = TestPeers.get(http, path, null, null);
      assertThat(r.statusCode()).as(path).isEqualTo(401);
      // Without the challenge a browser shows an error page instead of asking for the password.
      assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).hasValue("Basic realm=\"ipa\"");
    }
  }

  @Test
  void dashboardAndItsFilesNeedCredentials() throws Exception {
    for (String path : List.of("/", "/dashboard/dashboard.js", "/dashboard/dashboard.css")) {
      HttpResponse<String> r = TestPeers.get(http, path, null, null);
      assertThat(r.statusCode()).as(path).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).hasValue("Basic realm=\"ipa\"");
    }
    HttpResponse<String> page = TestPeers.get(http, "/", TestPeers.USER, TestPeers.PASSWORD);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>IPA peer</title>").doesNotContain("@UPLOT@");
    String uplot = page.body().replaceAll("(?s).*src=\"(/webjars/uplot/[^\"]+)\".*", "$1");
    assertThat(TestPeers.get(http, uplot, TestPeers.USER, TestPeers.PASSWORD).statusCode()).as(uplot).isEqualTo(200);
    assertThat(TestPeers.get(http, uplot, null, null).statusCode()).as(uplot).isEqualTo(401);
  }

  @Test
  void unknownFiguresAreNullNotNaN() throws Exception {
    String status = TestPeers.get(http, "/api/status", TestPeers.USER, TestPeers.PASSWORD).body();
    assertThat(status).contains("\"accuracy\":null").contains("\"loss\":null").doesNotContain("NaN");
    assertThat(status).contains("\"federation\":\"test\"").contains("\"rounds\":2");
    String peers = TestPeers.get(http, "/api/peers", TestPeers.USER, TestPeers.PASSWORD).body();
    assertThat(peers).contains("\"roundTripMillis\":null").contains("\"suspectedSnapshots\":0").contains("\"failures\":0");
  }

  @Test
  void wrongCredentialsAreRejected() throws Exception {
    HttpResponse<String> wrong = TestPeers.get(http, "/api/status", TestPeers.USER, "wrong");
    // 401 with the challenge, not 403: a browser then asks again instead of giving up.
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"ipa\"");
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
    // The HTTP metrics record what the client got, a 400, not a 500.
    String metrics = TestPeers.get(http, "/prometheus", null, null).body();
    assertThat(metrics).containsPattern("http_server_requests_seconds_count\\{[^}]*status=\"400\"[^}]*uri=\"/api/federation/\\{action}\"")
        .doesNotContainPattern("http_server_requests_seconds_count\\{[^}]*status=\"500\"[^}]*uri=\"/api/federation/\\{action}\"");
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
    assertThat(m.headers().firstValue("Content-Disposition")).hasValueSatisfying(d -> assertThat(d).endsWith(".ipaq\""));
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
    // With the admin's credentials the details include the federation: its state and links.
    String health = TestPeers.get(http, "/health", TestPeers.USER, TestPeers.PASSWORD).body();
    assertThat(health).contains("\"federation\"").contains("\"state\":\"idle\"").contains("\"linksUp\":0").contains("\"links\":1");
    HttpResponse<String> m = TestPeers.get(http, "/prometheus", null, null);
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.body()).contains("ipa_round").contains("ipa_peer_bytes_sent_bytes_total{peer=\"b\"").contains("ipa_checkpoint_duration");
    assertThat(m.body()).contains("ipa_state{state=\"idle\"} 1.0").contains("ipa_state{state=\"training\"} 0.0")
        .contains("ipa_paused 0.0").contains("ipa_links_up 0.0").contains("ipa_peer_suspected_snapshots{peer=\"b\"} 0.0");
    // Every metric family carries HELP text, ours and Micronaut's.
    for (String line : m.body().split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String name = line.split(" ")[2];
        assertThat(m.body()).as(name).containsPattern("# HELP " + java.util.regex.Pattern.quote(name) + " \\S");
      }
    }
  }
}
