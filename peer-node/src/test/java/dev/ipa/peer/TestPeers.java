package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipa.transport.tls.FederationCertificates;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Builds daemon configurations for tests: certificates for a small federation, free loopback ports, overrides. */
final class TestPeers {
  static final String USER = "admin";
  static final String PASSWORD = "s3cret-admin";
  private static final ObjectMapper JSON = new ObjectMapper();

  final Path dir;
  final List<String> ids;
  final Map<String, Integer> peerPorts = new LinkedHashMap<>();

  TestPeers(Path dir, List<String> ids) throws IOException {
    this.dir = dir;
    this.ids = List.copyOf(ids);
    FederationCertificates.generate("test", ids, dir.resolve("certs"));
    for (String id : ids) peerPorts.put(id, freePort());
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A working configuration for {@code id}, as key → value; tests change single keys. */
  Map<String, String> config(String id, int httpPort) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("micronaut.server.port", String.valueOf(httpPort));
    c.put("micronaut.server.host", "127.0.0.1");
    c.put("ipa.peer.federation", "test");
    c.put("ipa.peer.id", id);
    c.put("ipa.peer.listen", "127.0.0.1:" + peerPorts.get(id));
    c.put("ipa.peer.tls-dir", dir.resolve("certs").resolve(id).toString());
    List<String> others = new ArrayList<>();
    for (String p : ids) if (!p.equals(id)) others.add(p + "=127.0.0.1:" + peerPorts.get(p));
    c.put("ipa.peer.peers", String.join(",", others));
    c.put("ipa.peer.data", "embedded");
    c.put("ipa.peer.partition", "iid");
    c.put("ipa.peer.shard-index", String.valueOf(ids.indexOf(id)));
    c.put("ipa.peer.peers-in-partition", "10");
    c.put("ipa.peer.model", "mlp:32");
    c.put("ipa.peer.checkpoint-dir", dir.resolve("ckpt-" + id).toString());
    c.put("ipa.peer.auto-start", "false");
    c.put("ipa.federation.rounds", "2");
    c.put("ipa.federation.exchange-timeout", "10s");
    c.put("ipa.admin.username", USER);
    c.put("ipa.admin.password", PASSWORD);
    return c;
  }

  static String[] args(Map<String, String> config) {
    return config.entrySet().stream().map(e -> "-" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
  }

  static HttpResponse<String> get(int port, String path, String user, String password) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET(), user, password);
  }

  static HttpResponse<String> post(int port, String path, String user, String password) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).POST(HttpRequest.BodyPublishers.noBody()), user, password);
  }

  /** {@code GET /api/status} of the daemon on {@code port}. */
  static JsonNode status(int port) throws IOException, InterruptedException {
    return JSON.readTree(get(port, "/api/status", USER, PASSWORD).body());
  }

  /** {@code POST /api/federation/ACTION} (start, pause, resume, stop, …), which must succeed. */
  static JsonNode control(int port, String action) throws IOException, InterruptedException {
    HttpResponse<String> r = post(port, "/api/federation/" + action, USER, PASSWORD);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** Polls the status until it matches, failing with the last status after {@code within}. */
  static JsonNode awaitStatus(int port, Duration within, Predicate<JsonNode> p) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    JsonNode s = status(port);
    while (System.nanoTime() < deadline) {
      s = status(port);
      if (p.test(s)) return s;
      Thread.sleep(20);
    }
    throw new AssertionError("peer on port " + port + " never matched; last status " + s);
  }

  private static HttpResponse<String> send(HttpRequest.Builder b, String user, String password) throws IOException, InterruptedException {
    if (user != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
