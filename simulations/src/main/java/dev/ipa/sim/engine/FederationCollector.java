package dev.ipa.sim.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipa.alignment.data.TrainTest;
import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.partition.PartitionPlan;
import dev.ipa.alignment.partition.Shard;
import dev.ipa.alignment.protocol.Topology;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects a running (or finished) federation's results from every peer's admin API and turns them into the same
 * {@code report.json}, {@code rounds.csv}, {@code accuracy.png} and {@code report.html} as {@code ipa simulate}
 * ({@link SimulationReport}), so a federation of daemons (the {@code ipa-federation} Helm chart, its container
 * test) and a simulation of the same peers, partition and seed read the same way.
 *
 * <p>Per peer it reads {@code /api/status}, {@code /api/rounds} (test and validation accuracy, losses, bytes per
 * round) and {@code /api/model/provenance} (the federation's settings, the peer's shard and seed). What a daemon
 * does not measure stays empty: the class-mix-weighted accuracy, and the shard's size and classes unless the data the peers used is given, in which case the shards are recomputed with
 * the same {@link PartitionPlan} the peers and {@code ipa simulate} use.
 *
 * <p>Use: {@link #fetch} each admin URL → {@link #assemble} → {@link Collected#write}. Stateless; thread-safe.
 */
public final class FederationCollector {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FederationCollector() {}

  /** What one peer's admin API answered. */
  public record PeerReport(String peerId, URI adminUrl, JsonNode status, JsonNode rounds, JsonNode provenance) {}

  /** A federation's results, ready to write. */
  public record Collected(SimulationResult result, Map<String, Object> config, String setup) {
    /** Writes report.json, rounds.csv, accuracy.png and report.html to {@code dir} and the tables to {@code out}. */
    public void write(Path dir, PrintWriter out) {
      SimulationReport.write(dir, config, dev.ipa.alignment.model.Metric.ACCURACY, "Federation: " + setup, setup, Map.of(result.algorithm(), result), null, out);
    }
  }

  /**
   * Reads one peer's admin API at {@code adminUrl} (e.g. {@code http://127.0.0.1:8081}) with basic auth.
   *
   * @throws IllegalStateException with one sentence when the peer cannot be reached or refuses the credentials
   */
  public static PeerReport fetch(HttpClient http, URI adminUrl, String user, String password) throws InterruptedException {
    String auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    JsonNode status = get(http, adminUrl, "/api/status", auth);
    JsonNode rounds = get(http, adminUrl, "/api/rounds", auth);
    JsonNode provenance = get(http, adminUrl, "/api/model/provenance", auth);
    return new PeerReport(status.path("peerId").asText(), adminUrl, status, rounds, provenance);
  }

  private static JsonNode get(HttpClient http, URI base, String path, String auth) throws InterruptedException {
    URI uri = base.resolve(path);
    HttpResponse<String> r;
    try {
      r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Authorization", auth).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("Could not reach the peer's admin API at " + uri + " (" + e.getMessage() + "); is the peer running and the URL right?", e);
    }
    if (r.statusCode() == 401) {
      throw new IllegalStateException("The admin API at " + uri + " refused the credentials (401); check --user and the password variable.");
    }
    if (r.statusCode() != 200) {
      throw new IllegalStateException("The admin API at " + uri + " answered " + r.statusCode() + "; a peer serves " + path
          + " once it has started (its model after round 0).");
    }
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("The admin API at " + uri + " did not answer JSON: " + e.getMessage(), e);
    }
  }

  /**
   * One result from every peer's report, the peers in ordinal order (peer-0, peer-1, ..., peer-10).
   *
   * @param data the data set the peers trained on, to recompute their shards (sizes, classes, the fp32 size of a
   *             snapshot); null leaves those empty
   * @throws IllegalArgumentException with one sentence when the peers do not belong to one federation
   */
  public static Collected assemble(List<PeerReport> reports, TrainTest data) {
    if (reports.isEmpty()) throw new IllegalArgumentException("No peers to collect from; give at least one admin URL or a namespace with peers.");
    List<PeerReport> peers = new ArrayList<>(reports);
    peers.sort(Comparator.comparingLong(FederationCollector::ordinal).thenComparing(PeerReport::peerId));
    Map<String, String> settings = settings(peers.get(0));
    for (PeerReport p : peers) {
      Map<String, String> other = settings(p);
      for (String key : List.of("federation.name", "federation.algorithm", "federation.topology", "federation.syncs", "peer.partition")) {
        if (!java.util.Objects.equals(settings.get(key), other.get(key))) {
          throw new IllegalArgumentException("Peer " + p.peerId() + " has " + key + " = " + other.get(key) + " but " + peers.get(0).peerId() + " has "
              + settings.get(key) + "; collect one federation at a time.");
        }
      }
    }
    List<String> ids = peers.stream().map(PeerReport::peerId).toList();
    long seed = peers.get(0).provenance().path("seed").asLong();
    Topology topology = Topology.parse(settings.getOrDefault("federation.topology", "full"));
    int syncs = Integer.parseInt(settings.getOrDefault("federation.syncs", "1"));

    List<SimulationResult.PeerInfo> infos = new ArrayList<>();
    long fp32 = 0;
    List<Shard> shards = null;
    String partition = settings.get("peer.partition");
    if (data != null && partition != null && !partition.equals("null")) {
      shards = PartitionPlan.withLocalTest(partition, shardCount(settings, ids.size()), seed).split(data.train().labelsAsInts(), data.train().numClasses());
      Architecture arch = Architecture.parse(settings.getOrDefault("peer.model", "mlp"), 1, data.train().rows(), data.train().cols(), data.train().numClasses());
      fp32 = 4L * Network.create(arch, seed).parameterCount();
    }
    int rounds = 0;
    for (PeerReport p : peers) {
      if (shards != null) {
        Shard s = shards.get(shardIndex(settings(p), ids.indexOf(p.peerId())));
        infos.add(new SimulationResult.PeerInfo(p.peerId(), s.train().length, s.validation().length, s.test().length, s.classes()));
      } else {
        infos.add(new SimulationResult.PeerInfo(p.peerId(), 0, 0, 0, new int[0]));
      }
      rounds = Math.max(rounds, p.rounds().size());
    }
    List<List<SimulationResult.PeerRound>> table = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      List<SimulationResult.PeerRound> row = new ArrayList<>();
      for (int i = 0; i < peers.size(); i++) row.add(null);
      table.add(row);
    }
    Instant first = null;
    Instant last = null;
    for (int i = 0; i < peers.size(); i++) {
      PeerReport p = peers.get(i);
      for (JsonNode r : p.rounds()) {
        int round = r.path("round").asInt();
        if (round < 0 || round >= rounds) continue;
        long bytes = r.path("bytesSent").asLong();
        int sent = bytes > 0 ? topology.outgoing(p.peerId(), ids, round, seed).size() * syncs : 0;
        table.get(round).set(i, new SimulationResult.PeerRound(p.peerId(), round, number(r, "testAccuracy"), number(r, "personalAccuracy"), number(r, "testLoss"),
            number(r, "validationAccuracy"), number(r, "trainLoss"), bytes, sent, r.path("failures").size(), r.path("maxStaleness").asInt(),
            r.path("frozen").asBoolean(), !r.path("stop").isNull() && !r.path("stop").isMissingNode(), number(r, "epsilon"),
            number(r, "balancedAccuracy"), number(r, "macroF1"), number(r, "auc"),
            r.hasNonNull("consensusTestAccuracy") ? number(r, "consensusTestAccuracy") : number(r, "testAccuracy"),
            r.hasNonNull("consensusPersonalAccuracy") ? number(r, "consensusPersonalAccuracy") : number(r, "personalAccuracy"), Double.NaN));
        if (r.hasNonNull("finishedAt")) {
          Instant end = Instant.parse(r.get("finishedAt").asText());
          Instant start = end.minusMillis(r.path("durationMillis").asLong());
          if (first == null || start.isBefore(first)) first = start;
          if (last == null || end.isAfter(last)) last = end;
        }
      }
    }
    double seconds = first == null ? 0 : Duration.between(first, last).toMillis() / 1e3;
    String algorithm = settings.getOrDefault("federation.algorithm", "ipa");
    SimulationResult result = new SimulationResult(algorithm, infos, table, List.of(), seconds, fp32);

    Map<String, Object> config = new LinkedHashMap<>();
    config.put("algorithms", List.of(algorithm));
    config.put("peers", ids.size());
    config.put("partition", partition);
    config.put("model", settings.get("peer.model"));
    config.put("weights", settings.get("peer.weights"));
    config.put("batch", integer(settings.get("peer.batch")));
    config.put("learningRate", decimal(settings.get("peer.learning-rate")));
    config.put("protocol", settings.get("federation.protocol"));
    config.put("lambda", decimal(settings.get("federation.lambda")));
    config.put("distance", settings.get("federation.distance"));
    config.put("peerWeights", settings.get("federation.peer-weights"));
    config.put("normalise", settings.get("federation.normalise") == null ? null : Boolean.parseBoolean(settings.get("federation.normalise")));
    config.put("extrapolate", decimal(settings.get("federation.extrapolate")));
    config.put("mix", decimal(settings.get("federation.mix")));
    config.put("mu", decimal(settings.get("federation.mu")));
    config.put("syncs", syncs);
    config.put("topology", topology.toString());
    config.put("rounds", integer(settings.get("federation.rounds")));
    config.put("earlyStop", settings.get("federation.early-stop"));
    config.put("codec", settings.get("compression.codec"));
    config.put("seed", seed);
    config.put("federation", settings.get("federation.name"));
    config.put("collectedFrom", peers.stream().map(p -> p.adminUrl().toString()).toList());
    String setup = ids.size() + (ids.size() == 1 ? " peer, " : " peers, ") + partition + ", topology " + topology + ", federation "
        + settings.get("federation.name");
    return new Collected(result, config, setup);
  }

  private static Map<String, String> settings(PeerReport p) {
    Map<String, String> m = new LinkedHashMap<>();
    p.provenance().path("settings").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }

  /** The numeric suffix of a peer id (peer-12 → 12), or Long.MAX_VALUE for ids without one. */
  private static long ordinal(PeerReport p) {
    String id = p.peerId();
    int i = id.length();
    while (i > 0 && Character.isDigit(id.charAt(i - 1))) i--;
    return i == id.length() || id.length() - i > 18 ? Long.MAX_VALUE : Long.parseLong(id.substring(i));
  }

  /** "k/N" from peer.shard: k, or {@code fallback} where it is missing. */
  private static int shardIndex(Map<String, String> settings, int fallback) {
    String s = settings.get("peer.shard");
    return s == null || !s.contains("/") ? fallback : Integer.parseInt(s.substring(0, s.indexOf('/')));
  }

  private static int shardCount(Map<String, String> settings, int fallback) {
    String s = settings.get("peer.shard");
    return s == null || !s.contains("/") ? fallback : Integer.parseInt(s.substring(s.indexOf('/') + 1));
  }

  private static double number(JsonNode r, String field) {
    JsonNode v = r.get(field);
    return v == null || v.isNull() ? Double.NaN : v.asDouble();
  }

  private static Object decimal(String s) {
    return s == null ? null : Double.parseDouble(s);
  }

  private static Object integer(String s) {
    return s == null ? null : Integer.parseInt(s);
  }
}
