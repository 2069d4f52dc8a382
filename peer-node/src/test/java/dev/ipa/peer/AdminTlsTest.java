package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: the admin port spoke plain HTTP only. With {@code ipa.admin.tls: true} the real daemon serves HTTPS on
 * its admin port with the peer's own certificate, a client that trusts the federation CA talks to it (hostname
 * verified), plain HTTP on that port is refused, and the WARN about an exposed admin port appears exactly when the
 * port has no TLS.
 */
class AdminTlsTest {
  private static final String EXPOSED = "over plain HTTP";

  @Test
  void theAdminPortSpeaksHttpsWithThePeersCertificateAndRefusesPlainHttp(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b"));
    int port = TestPeers.freePort();
    Map<String, String> c = onEveryInterface(peers, port);
    c.put("ipa.admin.tls", "true");
    try (LogLines log = new LogLines(PeerDaemon.class.getName()); ApplicationContext ctx = PeerDaemon.start(TestPeers.args(c))) {
      EmbeddedServer server = ctx.getBean(EmbeddedServer.class);
      assertThat(server.getScheme()).isEqualTo("https");
      assertThat(server.getPort()).isEqualTo(port);
      HttpClient https = HttpClient.newBuilder().sslContext(trusting(peers.dir.resolve("certs").resolve("a").resolve("ca.crt")))
          .connectTimeout(Duration.ofSeconds(10)).build();
      URI status = URI.create("https://127.0.0.1:" + port + "/api/status");
      HttpResponse<String> ok = https.send(HttpRequest.newBuilder(status).header("Authorization", basic(TestPeers.USER, TestPeers.PASSWORD))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("\"peerId\":\"a\"");
      HttpResponse<String> anonymous = https.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"ipa\"");

      // The same port over plain HTTP: no answer, the TLS layer drops the connection.
      HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/status"))
          .timeout(Duration.ofSeconds(30)).header("Authorization", basic(TestPeers.USER, TestPeers.PASSWORD)).build(),
          HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);

      assertThat(log.warnings()).noneMatch(w -> w.contains(EXPOSED));
      assertThat(log.all()).anyMatch(l -> l.startsWith("Dashboard and admin API at https://"));
    }
  }

  @Test
  void withoutTlsAnExposedAdminPortIsWarnedAboutOnce(@TempDir Path dir) throws Exception {
    Map<String, String> c = onEveryInterface(new TestPeers(dir, List.of("a", "b")), TestPeers.freePort());
    try (LogLines log = new LogLines(PeerDaemon.class.getName()); ApplicationContext ctx = PeerDaemon.start(TestPeers.args(c))) {
      assertThat(ctx.getBean(EmbeddedServer.class).getScheme()).isEqualTo("http");
      assertThat(log.warnings()).filteredOn(w -> w.contains(EXPOSED)).singleElement().asString()
          .contains("listens on 0.0.0.0").contains("ipa.admin.tls: true");
    }
  }

  /** Peer a's configuration on every interface, so that the exposure check runs; the test talks to 127.0.0.1 only. */
  private static Map<String, String> onEveryInterface(TestPeers peers, int port) {
    Map<String, String> c = peers.config("a", port);
    c.put("micronaut.server.host", "0.0.0.0");
    return c;
  }

  private static SSLContext trusting(Path caFile) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      trust.setCertificateEntry("federation-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, f.getTrustManagers(), null);
    return ssl;
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
