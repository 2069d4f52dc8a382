package dev.ipa.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Volume;
import dev.ipa.transport.tls.FederationCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.lifecycle.Startables;

/**
 * A federation of peer daemons, each in its own container built from deploy/Dockerfile, on one Docker network
 * where peer {@code x} is reachable as {@code x:7000}. Each peer keeps its checkpoints on a named Docker volume,
 * so a peer can be stopped and started again on the same volume. The admin API is reached through the mapped
 * port on localhost with basic auth.
 *
 * <p>Lifecycle: {@link #start} → tests drive and query peers → {@link #close} removes containers, volumes and
 * network. Not thread-safe; one test uses one federation.
 */
final class DockerFederation implements AutoCloseable {
  static final int PEER_PORT = 7000;
  static final int ADMIN_PORT = 8080;
  static final String USER = "admin";
  static final String PASSWORD = "e2e-secret";
  /** The image's base: built by deploy/base-image/build-local-base.sh, so nothing is pulled at test time. */
  static final String BASE_IMAGE = System.getProperty("ipa.base.image", "ipa/local-jre:17");

  private static ImageFromDockerfile image;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String name;
  private final List<String> ids;
  private final Map<String, String> settings;
  private final Path certs;
  private final Network network = Network.newNetwork();
  // Concurrent: a test may cut one peer off the network on another thread while it restarts a second peer.
  private final Map<String, GenericContainer<?>> containers = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, StringBuilder> logs = new LinkedHashMap<>();
  /** Peers whose published admin port no longer forwards (see {@link #reconnect}); reached from inside instead. */
  private final java.util.Set<String> portLost = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * @param settings extra peer configuration as flat keys ({@code ipa.federation.rounds} → 8), the same for all
   */
  DockerFederation(String name, List<String> ids, Map<String, String> settings, Path workDir) throws IOException {
    this.name = name + "-" + UUID.randomUUID().toString().substring(0, 8);
    this.ids = List.copyOf(ids);
    this.settings = Map.copyOf(settings);
    this.certs = workDir.resolve("certs");
    FederationCertificates.generate(name, ids, certs);
    for (String id : ids) logs.put(id, new StringBuilder());
  }

  /** The peer image, built once per test JVM from the project's Dockerfile on the local base image. */
  static synchronized ImageFromDockerfile image() {
    if (image == null) {
      Path dir = DeployPaths.moduleDir();
      if (!Files.isDirectory(dir.resolve("target/dist/lib"))) {
        throw new IllegalStateException("deploy/target/dist is missing; the package phase builds it (./mvnw verify runs it).");
      }
      image = new ImageFromDockerfile("ipa/peer-e2e", false)
          .withDockerfile(dir.resolve("Dockerfile"))
          .withBuildArg("BASE_IMAGE", BASE_IMAGE);
    }
    return image;
  }

  /** Creates and starts every peer's container, in parallel, and waits until each answers /health. */
  DockerFederation start() {
    List<GenericContainer<?>> all = new ArrayList<>();
    for (String id : ids) all.add(container(id));
    Startables.deepStart(all).join();
    return this;
  }

  private GenericContainer<?> container(String id) {
    StringBuilder log = logs.get(id);
    GenericContainer<?> c = new GenericContainer<>(image())
        .withNetwork(network)
        .withNetworkAliases(id)
        .withExposedPorts(ADMIN_PORT)
        .withEnv("IPA_ADMIN_USERNAME", USER)
        .withEnv("IPA_ADMIN_PASSWORD", PASSWORD)
        .withEnv("JAVA_OPTS", "-Xmx768m -XX:+UseParallelGC")
        .withCopyToContainer(Transferable.of(peerYaml(id)), "/etc/ipa/peer.yml")
        // Copied, not bind-mounted: the key must be readable by the image's user (uid 10001) whoever runs the test.
        .withCopyToContainer(Transferable.of(read(certs.resolve(id).resolve("peer.crt")), 0444), "/etc/ipa/tls/peer.crt")
        .withCopyToContainer(Transferable.of(read(certs.resolve(id).resolve("peer.key")), 0444), "/etc/ipa/tls/peer.key")
        .withCopyToContainer(Transferable.of(read(certs.resolve("ca.crt")), 0444), "/etc/ipa/tls/ca.crt")
        .withCreateContainerCmdModifier(cmd -> {
          cmd.withHostName(id);
          cmd.getHostConfig().withBinds(new Bind(volume(id), new Volume("/var/lib/ipa")));
        })
        .withLogConsumer(frame -> {
          synchronized (log) {
            log.append(frame.getUtf8String());
          }
        })
        .waitingFor(Wait.forHttp("/health").forPort(ADMIN_PORT).forStatusCode(200).withStartupTimeout(Duration.ofMinutes(3)));
    containers.put(id, c);
    return c;
  }

  private String volume(String id) {
    return "ipa-e2e-" + name + "-" + id;
  }

  /** The configuration file the peer's container gets as /etc/ipa/peer.yml (flat keys are valid Micronaut YAML). */
  private String peerYaml(String id) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("ipa.peer.federation", name.substring(0, name.lastIndexOf('-')));
    c.put("ipa.peer.id", id);
    c.put("ipa.peer.data", "embedded");
    c.put("ipa.peer.partition", "disjoint");
    c.put("ipa.peer.shard-index", String.valueOf(ids.indexOf(id)));
    c.put("ipa.peer.peers-in-partition", String.valueOf(ids.size()));
    c.put("ipa.peer.auto-start", "false");
    c.putAll(settings);
    StringBuilder y = new StringBuilder();
    c.forEach((k, v) -> y.append(k).append(": '").append(v).append("'\n"));
    y.append("ipa.peer.peers:\n");
    for (String p : ids) if (!p.equals(id)) y.append("  - '").append(p).append('=').append(p).append(':').append(PEER_PORT).append("'\n");
    return y.toString();
  }

  /** Starts the federation on every peer (they were configured with auto-start off). */
  void startFederation() {
    for (String id : ids) startFederation(id);
  }

  void startFederation(String id) {
    HttpResponse<String> r = send(id, "POST", "/api/federation/start");
    if (r.statusCode() != 200) throw new AssertionError("POST /api/federation/start on " + id + " answered " + r.statusCode() + ": " + r.body());
  }

  /** Stops peer {@code id}'s container the way Docker does (SIGTERM, then kill after 20 s) and removes it. */
  void stopPeer(String id) {
    GenericContainer<?> c = containers.get(id);
    docker().stopContainerCmd(c.getContainerId()).withTimeout(20).exec();
    c.stop();
    logs.get(id).append("\n=== container stopped ===\n");
  }

  /**
   * Kills peer {@code id}'s container with SIGKILL ({@code docker kill}): no shutdown hook runs, a checkpoint
   * being written is cut off where it is. The stopped container is removed; its volume stays.
   */
  void killPeer(String id) {
    GenericContainer<?> c = containers.get(id);
    docker().killContainerCmd(c.getContainerId()).withSignal("SIGKILL").exec();
    c.stop();
    StringBuilder log = logs.get(id);
    synchronized (log) {
      log.append("\n=== container killed (SIGKILL) ===\n");
    }
  }

  /** Starts a new container for peer {@code id} on the same volume, network alias and configuration. */
  void restartPeer(String id) {
    container(id).start();
  }

  void disconnect(String id) {
    docker().disconnectFromNetworkCmd().withNetworkId(network.getId()).withContainerId(containers.get(id).getContainerId()).exec();
  }

  /**
   * Connects peer {@code id} to the federation network again, under its alias. Docker does not restore the
   * forwarding of the published admin port when a container's only network comes back, so from here on this
   * peer's admin API is called from inside its container (same HTTP request, same basic auth).
   */
  void reconnect(String id) {
    docker().connectToNetworkCmd().withNetworkId(network.getId()).withContainerId(containers.get(id).getContainerId())
        .withContainerNetwork(new ContainerNetwork().withAliases(id)).exec();
    portLost.add(id);
  }

  JsonNode status(String id) {
    return json(id, "/api/status");
  }

  JsonNode rounds(String id) {
    return json(id, "/api/rounds");
  }

  JsonNode json(String id, String path) {
    String body;
    if (portLost.contains(id)) {
      body = getFromInside(id, path);
    } else {
      HttpResponse<String> r = send(id, "GET", path);
      if (r.statusCode() != 200) throw new AssertionError("GET " + path + " on " + id + " answered " + r.statusCode() + ": " + r.body());
      body = r.body();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** GET on the admin port from inside the container, with bash's /dev/tcp as the image's healthcheck does. */
  private String getFromInside(String id, String path) {
    String script = "exec 3<>/dev/tcp/127.0.0.1/" + ADMIN_PORT + "; printf 'GET " + path + " HTTP/1.0\\r\\nAuthorization: Basic "
        + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\\r\\n\\r\\n' >&3; cat <&3";
    try {
      String response = containers.get(id).execInContainer("bash", "-c", script).getStdout();
      int headerEnd = response.indexOf("\r\n\r\n");
      if (!response.startsWith("HTTP/1.") || !response.substring(9, 12).equals("200") || headerEnd < 0) {
        throw new AssertionError("GET " + path + " inside " + id + " answered: " + response);
      }
      return response.substring(headerEnd + 4);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> send(String id, String method, String path) {
    GenericContainer<?> c = containers.get(id);
    URI uri = URI.create("http://" + c.getHost() + ":" + c.getMappedPort(ADMIN_PORT) + path);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
        .method(method, HttpRequest.BodyPublishers.noBody()).build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("Request " + method + " " + path + " to peer " + id + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Everything peer {@code id}'s containers (all of them, if it was restarted) printed so far. */
  String logs(String id) {
    StringBuilder log = logs.get(id);
    synchronized (log) {
      return log.toString();
    }
  }

  List<String> ids() {
    return ids;
  }

  /** Polls {@code condition} every second until it holds; fails with {@code what} and every peer's log tail. */
  void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      try {
        if (condition.getAsBoolean()) return;
      } catch (RuntimeException | AssertionError e) {
        if (Instant.now().isAfter(deadline)) throw new AssertionError("Timed out waiting until " + what + "\n" + logTails(), e);
      }
      if (Instant.now().isAfter(deadline)) throw new AssertionError("Timed out after " + timeout.toSeconds() + " s waiting until " + what + "\n" + logTails());
      Thread.sleep(1000);
    }
  }

  String logTails() {
    StringBuilder out = new StringBuilder();
    for (String id : ids) {
      String log = logs(id);
      out.append("--- peer ").append(id).append(" (last lines) ---\n").append(log, Math.max(0, log.length() - 3000), log.length()).append('\n');
    }
    return out.toString();
  }

  private static DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (GenericContainer<?> c : containers.values()) c.stop();
    for (String id : ids) {
      try {
        docker().removeVolumeCmd(volume(id)).exec();
      } catch (RuntimeException e) {
        // already gone, or never created because the container did not start
      }
    }
    network.close();
  }
}
