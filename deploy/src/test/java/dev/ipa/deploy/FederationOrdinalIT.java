package dev.ipa.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipa.alignment.data.FashionMnist;
import dev.ipa.alignment.data.TrainTest;
import dev.ipa.alignment.partition.Shard;
import dev.ipa.sim.engine.FederationCollector;
import dev.ipa.sim.engine.Simulation;
import dev.ipa.sim.engine.SimulationConfig;
import dev.ipa.transport.InMemoryNetwork;
import dev.ipa.transport.tls.FederationCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.lifecycle.Startables;

/**
 * The {@code ipa-federation} Helm chart's pods, on one Docker host: N = 4 containers of the project's image, each
 * given only what a StatefulSet pod gets (host name {@code NAME-<ordinal>}, {@code IPA_FEDERATION_SIZE}, the CA
 * as the mounted secret, one shared peer.yml), so the entrypoint derives each peer's id, shard, neighbours and
 * certificate from the ordinal exactly as in the cluster. The run's results are then collected from the four
 * admin APIs with the code of {@code ipa federation collect} and checked in the report it writes.
 */
class FederationOrdinalIT {
  private static final int N = 4;
  private static final int ROUNDS = 3;
  private static final Pattern SHARD_LOG = Pattern.compile("Peer (peer-\\d+) of federation \\S+: (\\d+) training and (\\d+) validation samples");

  @TempDir Path work;

  @Test
  void podsNamedByOrdinalFederateOnTheirShardsAndTheCollectorReportsEveryRound() throws Exception {
    String federation = "ordinals";
    String name = "ipafed";
    Path ca = work.resolve("ca");
    FederationCertificates.generate(federation, List.of("peer-0"), ca); // only ca.crt and ca.key are used, as the chart's secret
    String peerYml = String.join("\n",
        "ipa.peer.federation: '" + federation + "'",
        "ipa.peer.data: 'embedded'",
        "ipa.peer.partition: 'iid'",
        "ipa.peer.auto-start: 'true'",
        "ipa.federation.rounds: '" + ROUNDS + "'",
        "ipa.federation.syncs: '1'",
        "ipa.federation.exchange-timeout: '60s'", "");
    // Built under a name of its own: on a machine where several checkouts build the shared e2e tag at once, a
    // container must run the image of this checkout (its entrypoint derives the identity). Removed afterwards.
    Path dir = DeployPaths.moduleDir();
    assertThat(dir.resolve("target/dist/lib")).as("deploy/target/dist (the package phase builds it)").isDirectory();
    ImageFromDockerfile image = new ImageFromDockerfile("ipa/peer-e2e-ordinal-" + UUID.randomUUID().toString().substring(0, 8), true)
        .withDockerfile(dir.resolve("Dockerfile")).withBuildArg("BASE_IMAGE", DockerFederation.BASE_IMAGE);
    List<GenericContainer<?>> pods = new ArrayList<>();
    List<StringBuilder> logs = new ArrayList<>();
    try (Network network = Network.newNetwork()) {
      for (int k = 0; k < N; k++) {
        String host = name + "-" + k;
        StringBuilder log = new StringBuilder();
        logs.add(log);
        pods.add(new GenericContainer<>(image)
            .withNetwork(network)
            .withNetworkAliases(host)
            .withExposedPorts(DockerFederation.ADMIN_PORT)
            .withEnv("IPA_FEDERATION_SIZE", String.valueOf(N))
            .withEnv("IPA_FEDERATION_CA_DIR", "/etc/ipa/ca")
            .withEnv("IPA_FEDERATION_CERT_DIR", "/tmp/ipa-tls")
            .withEnv("IPA_ADMIN_USERNAME", DockerFederation.USER)
            .withEnv("IPA_ADMIN_PASSWORD", DockerFederation.PASSWORD)
            .withEnv("JAVA_OPTS", "-Xmx384m -XX:+UseParallelGC")
            .withCopyToContainer(Transferable.of(peerYml), "/etc/ipa/peer.yml")
            .withCopyToContainer(Transferable.of(Files.readAllBytes(ca.resolve("ca.crt")), 0444), "/etc/ipa/ca/ca.crt")
            .withCopyToContainer(Transferable.of(Files.readAllBytes(ca.resolve("ca.key")), 0444), "/etc/ipa/ca/ca.key")
            .withCreateContainerCmdModifier(cmd -> cmd.withHostName(host))
            .withLogConsumer(frame -> {
              synchronized (log) {
                log.append(frame.getUtf8String());
              }
            })
            // Generous: on a loaded 2-core machine four JVMs starting at once took close to 3 minutes.
            .waitingFor(Wait.forHttp("/health").forPort(DockerFederation.ADMIN_PORT).forStatusCode(200).withStartupTimeout(Duration.ofMinutes(6))));
      }
      try {
        Startables.deepStart(pods).join();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<URI> urls = pods.stream().map(c -> URI.create("http://" + c.getHost() + ":" + c.getMappedPort(DockerFederation.ADMIN_PORT))).toList();
        List<FederationCollector.PeerReport> reports = awaitFinished(http, urls, Duration.ofMinutes(4), logs);

        // Collected with the collect command's code, into the report `ipa simulate` writes.
        TrainTest data = FashionMnist.embedded();
        FederationCollector.Collected collected = FederationCollector.assemble(reports, data);
        Path out = work.resolve("report");
        StringWriter terminal = new StringWriter();
        collected.write(out, new PrintWriter(terminal, true));
        System.out.println(terminal); // the collected tables, for the figures in deploy/README.md (sizing)
        for (String file : List.of("report.json", "rounds.csv", "accuracy.png", "report.html")) assertThat(out.resolve(file)).isNotEmptyFile();
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(report.at("/config/peers").asInt()).isEqualTo(N);
        assertThat(report.at("/config/partition").asText()).isEqualTo("iid");
        assertThat(report.at("/config/topology").asText()).isEqualTo("full");
        assertThat(report.at("/config/federation").asText()).isEqualTo(federation);
        assertThat(report.get("rounds")).hasSize(ROUNDS);
        List<String> ids = List.of("peer-0", "peer-1", "peer-2", "peer-3");
        long fp32 = report.at("/final/fp32BytesPerExchange").asLong();
        for (JsonNode round : report.get("rounds")) {
          List<String> seen = new ArrayList<>();
          for (JsonNode p : round.get("peers")) {
            seen.add(p.get("id").asText());
            assertThat(p.get("failures").asInt()).as("%s in round %s: every neighbour delivered", p.get("id"), round.get("round")).isZero();
            // fp32 full snapshots to the three others: a little over three times the fp32 size of the model.
            assertThat(p.get("bytesSent").asLong()).isBetween(3 * fp32, 3 * fp32 + 3 * 65_536);
          }
          assertThat(seen).isEqualTo(ids);
        }
        for (JsonNode p : report.at("/rounds/" + (ROUNDS - 1) + "/peers")) {
          assertThat(p.get("accuracy").asDouble()).as("test accuracy of %s after %d rounds on IID shards", p.get("id"), ROUNDS).isGreaterThan(0.5);
        }
        assertThat(report.at("/final/meanAccuracy").asDouble()).isGreaterThan(0.5);
        assertThat(terminal.toString()).contains("peer-3");

        // Pod k trained on shard k of N, the very shard `ipa simulate --peers 4 --partition iid` gives its peer k.
        var cfg = new SimulationConfig(N, dev.ipa.alignment.partition.PartitionSpec.parse("iid"), "mlp", "float", 50, 1e-3, 0.1, 0.1,
            dev.ipa.alignment.protocol.FederationSettings.defaults(), InMemoryNetwork.Faults.NONE, 1, "memory");
        List<Shard> simulated = new Simulation(data, cfg, i -> dev.ipa.alignment.model.WeightTransform.IDENTITY).shards();
        Set<String> logged = new java.util.TreeSet<>();
        for (int k = 0; k < N; k++) {
          Matcher m = SHARD_LOG.matcher(text(logs.get(k)));
          assertThat(m.find()).as("pod %d's log names its shard:%n%s", k, text(logs.get(k))).isTrue();
          assertThat(m.group(1)).isEqualTo("peer-" + k);
          assertThat(Integer.parseInt(m.group(2))).isEqualTo(simulated.get(k).train().length);
          assertThat(Integer.parseInt(m.group(3))).isEqualTo(simulated.get(k).validation().length);
          assertThat(reports.get(k).provenance().at("/settings/peer.shard").asText()).isEqualTo(k + "/" + N);
          assertThat(collected.result().peers().get(k).shardSize()).isEqualTo(simulated.get(k).train().length);
          logged.add(m.group(1));
        }
        assertThat(logged).hasSize(N);
      } finally {
        for (GenericContainer<?> c : pods) c.stop();
      }
    }
  }

  /** Polls every peer's status once a second until all have finished their rounds; then reads each once more. */
  private static List<FederationCollector.PeerReport> awaitFinished(HttpClient http, List<URI> urls, Duration timeout, List<StringBuilder> logs)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      List<FederationCollector.PeerReport> reports = new ArrayList<>();
      boolean done = true;
      for (URI url : urls) {
        FederationCollector.PeerReport r;
        try {
          r = FederationCollector.fetch(http, url, DockerFederation.USER, DockerFederation.PASSWORD);
        } catch (IllegalStateException notYet) {
          done = false; // the model is served after round 0
          continue;
        }
        String state = r.status().path("state").asText();
        assertThat(state).as("peer at %s: %s", url, r.status()).isNotEqualTo("failed");
        done &= r.rounds().size() == ROUNDS && Set.of("finished", "stopped").contains(state);
        reports.add(r);
      }
      if (done) return reports;
      if (Instant.now().isAfter(deadline)) {
        StringBuilder tails = new StringBuilder();
        for (StringBuilder log : logs) {
          String t = text(log);
          tails.append("---\n").append(t, Math.max(0, t.length() - 3000), t.length());
        }
        throw new AssertionError("The federation did not finish " + ROUNDS + " rounds within " + timeout.toSeconds() + " s\n" + tails);
      }
      Thread.sleep(1000);
    }
  }

  private static String text(StringBuilder log) {
    synchronized (log) {
      return log.toString();
    }
  }
}
