package dev.ipa.sim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipa.alignment.data.FashionMnist;
import dev.ipa.alignment.partition.PartitionPlan;
import dev.ipa.alignment.partition.PartitionSpec;
import dev.ipa.alignment.protocol.Algorithm;
import dev.ipa.alignment.protocol.CommonSettings;
import dev.ipa.alignment.protocol.DpSettings;
import dev.ipa.alignment.protocol.EarlyStop;
import dev.ipa.alignment.protocol.FederationSettings;
import dev.ipa.peer.config.PeerConfig;
import dev.ipa.peer.config.PeerConfigBinding;
import dev.ipa.alignment.protocol.Protocol;
import dev.ipa.alignment.model.WeightTransform;
import dev.ipa.sim.engine.Simulation;
import dev.ipa.sim.engine.SimulationConfig;
import dev.ipa.sim.engine.SimulationReport;
import dev.ipa.sim.engine.SimulationResult;
import dev.ipa.sim.report.Reports;
import dev.ipa.sim.report.Table;
import dev.ipa.transport.InMemoryNetwork;
import dev.ipa.transport.netty.LoopbackFederation;
import dev.ipa.transport.tls.FederationCertificates;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ipa demo}: the main job. Generates certificates, starts three peer daemons as separate JVMs on
 * 127.0.0.1, each on its own disjoint shard of the embedded Fashion-MNIST subset, and runs the whole design: each
 * peer trains a compressed local model (binary weights by default), exchanges 1-bit sign deltas over mutual TLS,
 * applies IPA with the shipped defaults and stops by its contribution. It follows them through their admin APIs and
 * prints, per peer, local-only, consensus and personal accuracy beside the targets. Every process it started is
 * stopped at the end, and on Ctrl-C.
 */
@Command(name = "demo", description = "Three peer daemons on 127.0.0.1 federate over mutual TLS: binary local models, sign-compressed updates, IPA "
    + "with the shipped defaults and per-peer contribution stops; prints local-only, consensus and personal accuracy per peer.")
public final class DemoCommand implements Runnable {
  /** The demo's three peers; {@code ipa bench peer} and {@code ipa bench soak} start the same ones. */
  static final List<String> PEERS = List.of("a", "b", "c");

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--rounds", defaultValue = "15", description = "Rounds (one local epoch each). Default: ${DEFAULT-VALUE}.")
  int rounds;

  @Option(names = "--codec", defaultValue = "sign", description = "Snapshot codec: sign, tile:P, int8, fp16, topk:F or none. Default: ${DEFAULT-VALUE}.")
  String codec;

  @Option(names = "--weights", defaultValue = "binary", description = "Each peer's local model: binary, tiled:P (tiled-bit) or float weights. "
      + "Default: ${DEFAULT-VALUE}.")
  String weights = "binary";

  @Option(names = "--early-stop", defaultValue = "contribution", description = "contribution (each peer freezes after its share of the rounds, "
      + "n/n_max), target:ACC (the IPA paper's global stop), patience:R, or none. Default: ${DEFAULT-VALUE}.")
  String earlyStop = "contribution";

  @Option(names = "--out", paramLabel = "DIR", description = "Run directory (certificates, configs, logs, checkpoints, reports). Default: runs/demo-<time>.")
  String out;

  @Option(names = "--timeout-min", defaultValue = "20", description = "Give up if the federation has not finished after this many minutes. Default: ${DEFAULT-VALUE}.")
  int timeoutMinutes;

  @Option(names = "--dp", defaultValue = "none", description = SimulateCommand.DP_HELP)
  String dp = "none";

  @Option(names = "--data", paramLabel = "TABLE", description = "A table to federate instead of the embedded Fashion-MNIST subset "
      + "(e.g. embedded:breast-cancer or FILE.csv, last column the label): its rows are dealt to the three peers (dirichlet:0.5), each daemon "
      + "gets its own train.csv and the shared test.csv, and the daemons agree on the schema by the federated-statistics exchange.")
  String data;

  @Option(names = "--heap", defaultValue = "384m", description = "Maximum heap of each peer JVM. Default: ${DEFAULT-VALUE}.")
  String heap = "384m";

  private final List<Process> processes = new ArrayList<>();
  /** Peak resident set size (bytes) seen per peer process while the federation ran. */
  final long[] peakRss = new long[3];
  /** Peak JVM heap in use (bytes) per peer, read from its /prometheus metrics. */
  final long[] peakHeap = new long[3];

  @Override
  public void run() {
    if (rounds < 1) throw new IllegalArgumentException("--rounds must be ≥ 1, got " + rounds + ".");
    dev.ipa.compression.CodecSpec.parse(codec);
    dev.ipa.alignment.quant.WeightMode.parse(weights);
    EarlyStop.parse(earlyStop);
    privacy();
    PrintWriter o = spec.commandLine().getOut();
    Path dir = Reports.runDirectory(out, "demo").toAbsolutePath();
    Thread stopAll = new Thread(this::stopProcesses, "ipa-demo-stop");
    Runtime.getRuntime().addShutdownHook(stopAll);
    try {
      runDemo(o, dir);
    } catch (IOException e) {
      throw new IllegalStateException("The demo failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stopProcesses();
      try {
        Runtime.getRuntime().removeShutdownHook(stopAll);
      } catch (IllegalStateException ignored) {
        // already shutting down: the hook runs anyway
      }
    }
  }

  /** A table demo: each peer's own files, and the shards and encoded data for the local-only baseline. */
  private record TableDemo(List<dev.ipa.alignment.partition.Shard> shards, dev.ipa.alignment.data.TrainTest data, String label) {
  }

  private TableDemo tableDemo;

  /** Deals a table's training rows to the peers and writes each its own train.csv beside the shared test.csv. */
  private TableDemo writeTables(PrintWriter o, Path dir) throws IOException, InterruptedException {
    if (!dev.ipa.alignment.table.TableSource.isTable(data)) {
      throw new IllegalArgumentException("--data " + data + " is not a table; give a .csv/.tsv file, a directory with train.csv and test.csv, or embedded:breast-cancer.");
    }
    var rows = dev.ipa.alignment.table.TableSource.read(data, dev.ipa.alignment.table.TableSource.Options.defaults());
    var prepared = dev.ipa.sim.engine.TableFederation.prepare(rows, PartitionSpec.parse(TABLE_PARTITION), PEERS.size(), 0, 0.1, 0, null);
    for (int i = 0; i < PEERS.size(); i++) {
      var sh = prepared.shards().get(i);
      int[] own = java.util.stream.IntStream.concat(Arrays.stream(sh.train()), Arrays.stream(sh.validation())).sorted()
          .map(k -> rows.trainRows()[k]).toArray();
      Path peerDir = Files.createDirectories(dir.resolve("data-" + PEERS.get(i)));
      dev.ipa.alignment.table.CsvTableWriter.write(rows.train(), own, peerDir.resolve("train.csv"));
      dev.ipa.alignment.table.CsvTableWriter.write(rows.test(), rows.testRows(), peerDir.resolve("test.csv"));
      o.printf("Peer %s's table: %d rows in %s (test rows shared: %d)%n", PEERS.get(i), own.length, peerDir.resolve("train.csv"), rows.testRows().length);
    }
    return new TableDemo(prepared.shards(), prepared.data(), rows.label());
  }

  private static final String TABLE_PARTITION = "dirichlet:0.5";

  private void runDemo(PrintWriter o, Path dir) throws IOException, InterruptedException {
    if (data != null) tableDemo = writeTables(o, dir);
    o.println(settingsLine());
    Path certs = dir.resolve("certs");
    FederationCertificates.generate("demo", PEERS, certs);
    o.println("Certificates: federation CA and peers a, b, c in " + certs);
    List<String> portIds = new ArrayList<>();
    for (String p : PEERS) {
      portIds.add(p);
      portIds.add(p + "-admin");
    }
    Map<String, InetSocketAddress> ports = LoopbackFederation.addresses(portIds);
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    Files.writeString(dir.resolve("admin-password"), password + "\n");
    try {
      Files.setPosixFilePermissions(dir.resolve("admin-password"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system: the file keeps the default permissions
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("java.class.path");
    for (int i = 0; i < PEERS.size(); i++) {
      String id = PEERS.get(i);
      Path yml = dir.resolve("peer-" + id + ".yml");
      Files.writeString(yml, peerYaml("demo", PEERS, id, ports, certs, dir, password, weights, federationSettings(),
          tableDemo == null ? "embedded" : dir.resolve("data-" + id).toString(), tableDemo == null ? null : tableDemo.label()));
      List<String> cmd = new ArrayList<>(List.of(java));
      cmd.addAll(daemonJvmFlags(heap));
      cmd.addAll(List.of("-cp", classpath, "dev.ipa.sim.cli.Ipa", "peer", "--config", yml.toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().put("OMP_NUM_THREADS", "1");
      pb.environment().put("IPA_ADMIN_PASSWORD", password);
      pb.redirectErrorStream(true).redirectOutput(dir.resolve("peer-" + id + ".log").toFile());
      processes.add(pb.start());
      o.printf("Started peer %s (pid %d): peer port %d, admin API http://127.0.0.1:%d/api/status, log %s%n", id, processes.get(i).pid(),
          ports.get(id).getPort(), ports.get(id + "-admin").getPort(), dir.resolve("peer-" + id + ".log"));
    }
    o.println("Admin user 'admin', password in " + dir.resolve("admin-password") + "; e.g. curl -u admin:$(cat " + dir.resolve("admin-password") + ") http://127.0.0.1:" + ports.get("a-admin").getPort() + "/api/peers");
    o.flush();

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + Duration.ofMinutes(timeoutMinutes).toNanos();
    Map<String, JsonNode> status = new LinkedHashMap<>();
    int lastReported = -1;
    try (Progress bar = Progress.start("federation", (long) rounds * PEERS.size())) {
      while (true) {
        int done = 0;
        int stopped = 0;
        for (int i = 0; i < PEERS.size(); i++) {
          String id = PEERS.get(i);
          if (!processes.get(i).isAlive()) {
            throw new Ipa.UserError("Peer " + id + " exited with code " + processes.get(i).exitValue() + "; see " + dir.resolve("peer-" + id + ".log") + ".");
          }
          JsonNode s = get(http, auth, ports.get(id + "-admin"), "/api/status");
          if (s == null) continue;
          status.put(id, s);
          boolean ended = dev.ipa.peer.federation.PeerState.ended(s.path("state").asText());
          int finished = ended ? rounds : Math.max(0, s.path("round").asInt(-1) + 1);
          done += Math.min(rounds, finished);
          if (ended) stopped++;
          peakRss[i] = Math.max(peakRss[i], rss(processes.get(i).pid()));
          peakHeap[i] = Math.max(peakHeap[i], heapUsed(http, auth, ports.get(id + "-admin")));
        }
        bar.stepTo(done);
        int minRound = status.size() < PEERS.size() ? -1 : status.values().stream().mapToInt(s -> s.path("round").asInt(-1)).min().orElse(-1);
        if (minRound > lastReported) {
          lastReported = minRound;
          StringBuilder line = new StringBuilder("  round " + (minRound + 1) + "/" + rounds + " done (consensus / personal accuracy):");
          status.forEach((id, s) -> line.append(String.format(" %s %.4f / %.4f", id, s.path("consensusAccuracy").asDouble(Double.NaN),
                  s.path("personalAccuracy").asDouble(Double.NaN)))
              .append(s.path("epsilon").isNumber() ? String.format(" (ε %.3f)", s.path("epsilon").asDouble()) : ""));
          bar.extra(line.toString().trim());
          if (System.console() == null) {
            o.println(line);
            o.flush();
          }
        }
        if (stopped == PEERS.size()) break;
        if (System.nanoTime() > deadline) throw new Ipa.UserError("The federation did not finish within " + timeoutMinutes + " minutes; see the peer logs in " + dir + ".");
        Thread.sleep(1000);
      }
    }

    Map<String, JsonNode> history = new LinkedHashMap<>();
    for (String id : PEERS) history.put(id, get(http, auth, ports.get(id + "-admin"), "/api/rounds"));
    stopProcesses();

    o.println("Local-only baseline on the same shards, with the same " + weights + " weights (in this process) ...");
    o.flush();
    SimulationResult local = localOnly();
    Table t = new Table("peer", "classes", "local-only acc", "consensus acc", "consensus gain", "local-only personal", "personal acc", "personal gain",
        "personal acc (global)", "stopped", "ε spent", "bytes sent", "peak RSS", "peak heap");
    Map<String, Object> report = new LinkedHashMap<>();
    List<Map<String, Object>> rows = new ArrayList<>();
    Map<String, double[][]> lines = new LinkedHashMap<>();
    double[] alone = new double[PEERS.size()];
    double[] federated = new double[PEERS.size()];
    List<String> consensusMissed = new ArrayList<>();
    List<String> personalMissed = new ArrayList<>();
    for (int i = 0; i < PEERS.size(); i++) {
      String id = PEERS.get(i);
      JsonNode rs = history.get(id);
      JsonNode last = rs.get(rs.size() - 1);
      long bytes = 0;
      double[] xs = new double[rs.size()];
      double[] cs = new double[rs.size()];
      double[] ps = new double[rs.size()];
      String stopped = "";
      for (int k = 0; k < rs.size(); k++) {
        JsonNode r = rs.get(k);
        bytes += r.path("bytesSent").asLong();
        xs[k] = r.path("round").asInt() + 1;
        cs[k] = consensus(r);
        ps[k] = personal(r);
        if (stopped.isEmpty() && (r.path("frozen").asBoolean() || r.hasNonNull("stop"))) stopped = "after round " + (k + 1);
      }
      SimulationResult.PeerRound lo = local.finalRound().get(i);
      // A table's daemons train on all of their own rows and test on the shared test.csv, so that is their personal figure too.
      double loPersonal = tableDemo == null ? lo.personalAccuracy() : lo.accuracy();
      double cons = consensus(last);
      double pers = personal(last);
      double fed = last.path("testAccuracy").asDouble();
      alone[i] = lo.accuracy();
      federated[i] = fed;
      if (cons < lo.accuracy() + 0.10) consensusMissed.add(id);
      if (pers < loPersonal) personalMissed.add(id);
      lines.put("consensus " + id, new double[][] {xs, cs});
      lines.put("personal " + id, new double[][] {xs, ps});
      lines.put("local-only consensus " + id, new double[][] {xs, level(xs.length, lo.accuracy())});
      lines.put("local-only personal " + id, new double[][] {xs, level(xs.length, loPersonal)});
      JsonNode eps = last.path("epsilon");
      t.row(id, classes(local.peers().get(i).classes()), f4(lo.accuracy()), f4(cons), String.format("%+.4f", cons - lo.accuracy()),
          f4(loPersonal), f4(pers), String.format("%+.4f", pers - loPersonal), f4(fed), stopped.isEmpty() ? "no" : stopped,
          eps.isNumber() ? String.format("%.3f", eps.asDouble()) : "no DP", SimulationReport.human(bytes), SimulationReport.human(peakRss[i]),
          SimulationReport.human(peakHeap[i]));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("peer", id);
      row.put("localOnlyAccuracy", lo.accuracy());
      row.put("localOnlyPersonalAccuracy", loPersonal);
      row.put("consensusAccuracy", cons);
      row.put("personalAccuracy", pers);
      row.put("personalGlobalAccuracy", fed);
      row.put("federatedAccuracy", fed);
      row.put("stoppedAfterRound", stopped.isEmpty() ? null : rs.size());
      if (eps.isNumber()) row.put("epsilon", eps.asDouble());
      row.put("bytesSent", bytes);
      row.put("rounds", rs.size());
      row.put("peakRssBytes", peakRss[i]);
      row.put("peakHeapBytes", peakHeap[i]);
      row.put("history", Reports.json().convertValue(rs, Object.class));
      rows.add(row);
    }
    double r = SimulationReport.pearson(alone, federated);
    Double rho = Double.isNaN(r) ? null : r;
    double gain = 0;
    for (int i = 0; i < alone.length; i++) gain += (federated[i] - alone[i]) / alone.length;
    String fairness = String.format("Fairness: Pearson ρ between local-only and personal (global test) accuracy = %s; mean gain %+.4f",
        rho == null ? "undefined (no spread)" : String.format("%.4f", rho), gain);
    String targets = "Targets: consensus ≥ local-only + 10 points " + (consensusMissed.isEmpty() ? "met by every peer" : "missed by " + String.join(", ", consensusMissed))
        + "; personal ≥ local-only personal " + (personalMissed.isEmpty() ? "met by every peer" : "missed by " + String.join(", ", personalMissed)) + ".";
    Map<String, Object> setupFields = new LinkedHashMap<>(); // in this order in report.json and report.html
    setupFields.put("settings", settingsLine());
    setupFields.put("peers", PEERS);
    setupFields.put("rounds", rounds);
    setupFields.put("weights", weights);
    setupFields.put("codec", codec);
    setupFields.put("earlyStop", earlyStop);
    setupFields.put("data", tableDemo == null ? "embedded" : data);
    setupFields.put("partition", tableDemo == null ? "disjoint" : TABLE_PARTITION);
    setupFields.put("transport", "netty+mTLS");
    setupFields.put("dp", privacy().enabled() ? privacy() + " (ε at δ = " + privacy().delta() + ")" : "none");
    report.put("config", setupFields);
    report.put("peers", rows);
    Map<String, Object> fair = new LinkedHashMap<>();
    fair.put("pearson", rho);
    fair.put("meanGain", gain);
    report.put("fairness", fair);
    report.put("targets", Map.of("consensusMissedBy", consensusMissed, "personalMissedBy", personalMissed));
    Reports.writeJson(dir.resolve("report.json"), report);
    String setup = Counted.of(PEERS.size(), "peer") + (tableDemo == null ? ", Fashion-MNIST (embedded subset), disjoint" : ", table " + data + ", " + TABLE_PARTITION)
        + ", weights " + weights + ", codec " + codec + ", early stop " + earlyStop;
    Reports.lineChart(dir.resolve("accuracy.png"), "Demo: " + Counted.of(PEERS.size(), "peer") + ", weights " + weights + ", codec " + codec
        + ", early stop " + earlyStop, "round",
        "consensus: global test; personal: own test split (dashed: local-only)", lines);
    new dev.ipa.sim.report.HtmlReport("Demo: " + setup)
        .paragraph("Three peer daemons as separate processes on 127.0.0.1, over mutual TLS, each on its own disjoint shard;"
            + " the local-only baseline trained on the same shards with the same weights in the demo's process. Consensus accuracy is on the"
            + " global test set; personal accuracy on each peer's own held-out test split.")
        .keyValues(setupFields)
        .image(dir.resolve("accuracy.png"), "Consensus (global test) and personal (own test split) accuracy per round; dashed lines: the same"
            + " peer's local-only figures")
        .heading("Per peer").table(t)
        .paragraph(fairness)
        .paragraph(targets)
        .write(dir.resolve("report.html"));
    o.println();
    o.print(t);
    o.println(fairness);
    o.println(targets);
    o.println("Reports: " + dir.resolve("report.json") + ", " + dir.resolve("accuracy.png") + ", " + dir.resolve("report.html")
        + "; peer logs and checkpoints in " + dir);
    o.println("Every peer daemon has been stopped. To run one yourself: ./ipa peer --config " + dir.resolve("peer-a.yml"));
    o.flush();
  }

  private static double[] level(int n, double value) {
    double[] y = new double[n];
    Arrays.fill(y, value);
    return y;
  }

  private static String f4(double v) {
    return String.format("%.4f", v);
  }

  /** A round's consensus test accuracy: its own where the peer has one, else the model's (it is its own consensus). */
  private static double consensus(JsonNode round) {
    JsonNode c = round.path("consensusTestAccuracy");
    return c.isNumber() ? c.asDouble() : round.path("testAccuracy").asDouble();
  }

  /** A round's personal accuracy (the peer's own held-out data), or its test accuracy in rounds recorded before it was measured. */
  private static double personal(JsonNode round) {
    JsonNode p = round.path("personalAccuracy");
    return p.isNumber() ? p.asDouble() : round.path("testAccuracy").asDouble();
  }

  /** The local-only baseline: the daemons' shards (local test split included) and weights, trained alone in this process. */
  private SimulationResult localOnly() throws InterruptedException {
    var data = tableDemo == null ? FashionMnist.embedded() : tableDemo.data();
    FederationSettings f = federationSettings().with(Algorithm.LOCAL, EarlyStop.NONE);
    SimulationConfig c = new SimulationConfig(PEERS.size(), PartitionSpec.parse(tableDemo == null ? "disjoint" : TABLE_PARTITION), PeerConfig.DEFAULTS.model(),
        weights, PeerConfig.DEFAULTS.batch(), PeerConfig.DEFAULTS.learningRate(), PartitionPlan.DEFAULT_VALIDATION_FRACTION,
        tableDemo == null ? PartitionPlan.DEFAULT_TEST_FRACTION : 0, f, InMemoryNetwork.Faults.NONE, rounds, "memory");
    var train = data.train();
    var arch = dev.ipa.alignment.model.Architecture.parse(c.model(), train.channels(), train.rows(), train.cols(), train.numClasses());
    return new Simulation(data, c, WeightModes.transforms(weights, arch), tableDemo == null ? null : tableDemo.shards()).run(null);
  }

  /** This demo's federation: the shipped defaults, with its rounds, codec, early stop and DP. */
  private FederationSettings federationSettings() {
    return settings(FederationSettings.defaults(), rounds, codec, privacy(), EarlyStop.parse(earlyStop));
  }

  /**
   * {@code base} with the given rounds, codec, DP and early stop, and a 120 s exchange timeout: the settings of the
   * peer daemons this command line starts (the demo on the shipped defaults, {@code ipa bench soak} on the gradient form).
   */
  static FederationSettings settings(FederationSettings base, int rounds, String codec, DpSettings privacy, EarlyStop stop) {
    CommonSettings c = base.common();
    return new FederationSettings(base.algorithm(), new CommonSettings(rounds, c.syncs(), c.topology(), stop,
        Duration.ofSeconds(120), PeerConfigBinding.codecPolicy(codec), c.seed(), c.protocol(), c.staleness()), base.ipa(), base.fedProx()).with(privacy);
  }

  /** The demo's setup in one line, printed before anything starts. */
  private String settingsLine() {
    FederationSettings f = federationSettings();
    var i = f.ipa();
    var c = f.common();
    PeerConfig.Defaults d = PeerConfig.DEFAULTS;
    return String.format("Settings: %d peers on 127.0.0.1 over mutual TLS; data %s; model %s, weights %s; %s λ=%s %s%s, %s exchange%s per epoch;"
        + " codec %s; early stop %s; personal model: %s; %d rounds; DP %s", PEERS.size(),
        tableDemo == null ? "Fashion-MNIST (embedded subset), disjoint shards with local test splits" : data + ", " + TABLE_PARTITION, d.model(), weights,
        f.algorithm().id().toUpperCase(java.util.Locale.ROOT), i.lambda(), i.distance().name(), i.mix() > 0 ? ", proximal mix " + i.mix() : ", no proximal step",
        c.syncs(), c.syncs() == 1 ? "" : "s", codec, c.earlyStop(), personalLine(f.personal()), rounds, f.dp().enabled() ? f.dp().toString() : "none");
  }

  /** How IPA makes the personal model, in the settings line's words. */
  static String personalLine(dev.ipa.alignment.protocol.PersonalSettings p) {
    String tuned = "θ or the consensus fine-tuned " + (p.selectsOnValidation() ? "≤ " + p.fineTuneEpochs() + " local epochs" : p.fineTuneSteps() + " steps");
    return switch (p.ipaPersonal()) {
      case BEST -> "the peer's own model (trained alone beside θ) unless " + tuned + " validates significantly better";
      case FINE_TUNED -> tuned + ", whichever validates better";
      case THETA -> "θ itself";
    };
  }

  /**
   * Peer {@code id}'s configuration file, written from the validated records the daemon reads it into
   * ({@link PeerConfigBinding#toYaml}), so no key is spelled twice: the federation of {@code peers} on 127.0.0.1,
   * disjoint shards of {@code data} (or, with {@code tableLabel}, each peer's own table {@code data}), local models
   * with {@code weights}, the federation's {@code settings}. The admin password stays out of the file; the peer gets
   * it as IPA_ADMIN_PASSWORD. {@code ipa bench peer} and {@code ipa bench soak} start peers from the same file.
   */
  static String peerYaml(String federation, List<String> peers, String id, Map<String, InetSocketAddress> ports, Path certs, Path dir, String password,
      String weights, FederationSettings settings, String data, String tableLabel) {
    int index = peers.indexOf(id);
    Map<String, InetSocketAddress> others = new LinkedHashMap<>();
    for (String p : peers) {
      if (!p.equals(id)) others.put(p, new InetSocketAddress("127.0.0.1", ports.get(p).getPort()));
    }
    PeerConfig.Defaults d = PeerConfig.DEFAULTS;
    boolean table = tableLabel != null;
    PeerConfig config = new PeerConfig(federation, id, new InetSocketAddress("127.0.0.1", ports.get(id).getPort()), certs.resolve(id), others,
        data, table ? null : "disjoint", table ? 0 : index, table ? 0 : peers.size(), d.model(), weights, d.batch(), d.learningRate(), settings,
        dir.resolve("peer-" + id).resolve("checkpoints"), d.keepCheckpoints(), true, "admin", password, null,
        dev.ipa.alignment.data.ImageFolder.Options.DEFAULTS, dev.ipa.alignment.train.ClassWeighting.NONE,
        table ? new PeerConfig.TableKeys(tableLabel, List.of(), 0.2, null) : null);
    return PeerConfigBinding.toYaml(config, Map.of("server", Map.of("host", "127.0.0.1", "port", ports.get(id + "-admin").getPort())));
  }

  /**
   * The JVM flags of every peer daemon this command line starts ({@code ipa demo}, {@code ipa bench peer},
   * {@code ipa bench soak}). The heap is committed and touched at start ({@code -Xms} = {@code -Xmx},
   * {@code AlwaysPreTouch}): otherwise the old generation becomes resident page by page as it fills before its
   * first full collection, and RSS creeps up by about 90 MiB over the first 100 rounds (ipa bench soak) although
   * nothing leaks. With it, RSS is at its working size from the first round, and a machine without the memory
   * fails at start instead of hours later.
   */
  static List<String> daemonJvmFlags(String heap) {
    return List.of("-Xms" + heap, "-Xmx" + heap, "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC");
  }

  /** {@code --dp} for this demo's rounds × syncs releases. */
  private DpSettings privacy() {
    return DpSettings.parse(dp, rounds * FederationSettings.defaults().common().syncs());
  }

  /** Resident set size of a process from /proc, or 0 where /proc is not available. */
  static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /** Heap in use from the peer's Prometheus metrics (sum of the heap pools), or 0 if unavailable. */
  private static long heapUsed(HttpClient http, String auth, InetSocketAddress admin) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + "/prometheus")).header("Authorization", auth)
          .timeout(Duration.ofSeconds(5)).GET().build();
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) return 0;
      double sum = 0;
      for (String line : r.body().split("\n")) {
        if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
      return (long) sum;
    } catch (IOException | RuntimeException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  static JsonNode get(HttpClient http, String auth, InetSocketAddress admin, String path) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + path)).header("Authorization", auth)
          .timeout(Duration.ofSeconds(5)).GET().build();
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Reports.json().readTree(r.body()) : null;
    } catch (IOException e) {
      return null; // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private synchronized void stopProcesses() {
    stop(processes);
  }

  /** SIGTERM to every process, then up to 10 s each to exit before it is killed. */
  static void stop(List<Process> processes) {
    for (Process p : processes) p.destroy();
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
      } catch (InterruptedException e) {
        p.destroyForcibly();
      }
    }
  }

  private static String classes(int[] c) {
    return c.length == 0 ? "" : c[0] + "-" + c[c.length - 1];
  }
}
