package dev.ipa.sim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.data.FashionMnist;
import dev.ipa.alignment.data.IdxReader;
import dev.ipa.alignment.data.TrainTest;
import dev.ipa.sim.report.Reports;
import dev.ipa.sim.report.Table;
import dev.ipa.transport.netty.LoopbackFederation;
import dev.ipa.transport.tls.FederationCertificates;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
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
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ipa bench soak}: memory of three real peer daemons over a long federation. It starts the demo's three
 * peers ({@link DemoCommand#peerYaml}) as separate JVMs from the built jars, with the heap limit of production
 * ({@code -Xmx384m}), over loopback mutual TLS with certificates from {@link FederationCertificates}, on a small
 * random subset of the embedded data so hundreds of rounds take minutes. Each time a peer has completed round 10
 * and every {@code --every} rounds, it records the peer's resident set size (VmRSS from /proc), the JVM's
 * committed heap and non-heap and its direct buffers (from the peer's /prometheus), and with {@code --nmt} the
 * JVM's Native Memory Tracking summary (jcmd VM.native_memory): what the JVM itself has committed, so RSS minus it
 * is what native libraries (ND4J, OpenBLAS) and the C allocator hold. With {@code --trim} it asks each finished
 * peer's C allocator to return its free memory (jcmd System.trim_native_heap, i.e. malloc_trim) and records how
 * much RSS that gave back: memory that was free but kept by the allocator. The figures go to the terminal,
 * {@code samples.csv}, {@code report.json} and {@code rss.png}.
 *
 * <p>It asserts nothing; the goal it reports (RSS at the last sample within 10% of the first full interval) is a
 * figure to read, as every benchmark's.
 */
@Command(name = "soak", description = "RSS and JVM memory of three peer daemons over a long federation, every 50 rounds (CSV + JSON).")
public final class PeerSoak implements Runnable {
  private static final List<String> PEERS = DemoCommand.PEERS;
  /** The round the issue's first figure (415 MB) was taken at: one sample there, before the first interval. */
  private static final int EARLY_ROUND = 10;
  private static final Pattern NMT_CATEGORY = Pattern.compile("(?m)^-\\s+(.+?) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");
  private static final Pattern NMT_TOTAL = Pattern.compile("(?m)^Total: reserved=(\\d+)KB, committed=(\\d+)KB");

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--rounds", defaultValue = "500", description = "Rounds the federation runs. Default: ${DEFAULT-VALUE}.")
  int rounds;

  @Option(names = "--every", defaultValue = "50", description = "Sample every this many rounds. Default: ${DEFAULT-VALUE}.")
  int every;

  @Option(names = "--heap", defaultValue = "384m", description = "Maximum heap of each peer JVM (-Xmx). Default: ${DEFAULT-VALUE}.")
  String heap;

  @Option(names = "--train", defaultValue = "1200", description = "Training images drawn from the embedded subset, split into three disjoint shards. Default: ${DEFAULT-VALUE}.")
  int train;

  @Option(names = "--test", defaultValue = "500", description = "Test images drawn from the embedded subset. Default: ${DEFAULT-VALUE}.")
  int test;

  @Option(names = "--nmt", description = "Start the peers with -XX:NativeMemoryTracking=summary and record jcmd VM.native_memory at every sample.")
  boolean nmt;

  @Option(names = "--trim", description = "After the last round, run jcmd System.trim_native_heap (malloc_trim) on each peer and report the RSS it gave back.")
  boolean trim;

  @Option(names = "--jvm-opt", paramLabel = "FLAG", description = "An extra JVM flag for every peer (repeatable), e.g. --jvm-opt=-XX:+UseParallelGC.")
  List<String> jvmOpts = new ArrayList<>();

  @Option(names = "--env", paramLabel = "KEY=VALUE", description = "An environment variable for every peer (repeatable); overrides the launcher's, e.g. --env MALLOC_ARENA_MAX=8 to undo its setting.")
  Map<String, String> env = new LinkedHashMap<>();

  @Option(names = "--out", paramLabel = "DIR", description = "Run directory (certificates, data, configs, logs, figures). Default: runs/soak-<time>.")
  String out;

  @Option(names = "--timeout-min", defaultValue = "120", description = "Give up if the federation has not finished after this many minutes. Default: ${DEFAULT-VALUE}.")
  int timeoutMinutes;

  private final List<Process> processes = new ArrayList<>();

  /** One peer's memory when it had completed {@code round} rounds. Sizes in bytes; -1 where not available. */
  record Sample(String peer, int round, double seconds, long rss, long heapCommitted, long nonHeapCommitted, long direct, long nmtCommitted,
      Map<String, Long> nmtCategories) {}

  @Override
  public void run() {
    if (rounds < EARLY_ROUND + 1) throw new IllegalArgumentException("--rounds must be > " + EARLY_ROUND + ", got " + rounds + ".");
    if (every < 1 || every > rounds) throw new IllegalArgumentException("--every must be between 1 and --rounds, got " + every + ".");
    if (train < 3 * 50 || test < 1) throw new IllegalArgumentException("--train must be ≥ 150 (three shards of a batch each) and --test ≥ 1.");
    Path dir = Reports.runDirectory(out, "soak").toAbsolutePath();
    Thread stopAll = new Thread(this::stopProcesses, "ipa-soak-stop");
    Runtime.getRuntime().addShutdownHook(stopAll);
    try {
      soak(spec.commandLine().getOut(), dir);
    } catch (IOException e) {
      throw new IllegalStateException("The soak failed: " + e.getMessage(), e);
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

  /**
   * The environment every peer daemon gets from this launcher: the same as the image's entrypoint sets
   * (deploy/docker/entrypoint.sh), so the bench measures what production runs.
   */
  static Map<String, String> daemonEnvironment() {
    Map<String, String> e = new LinkedHashMap<>();
    e.put("OMP_NUM_THREADS", "1");
    return e;
  }

  private void soak(PrintWriter o, Path dir) throws IOException, InterruptedException {
    Path certs = dir.resolve("certs");
    FederationCertificates.generate("soak", PEERS, certs);
    Path data = writeSubset(dir.resolve("data"), train, test);
    List<String> portIds = new ArrayList<>();
    for (String p : PEERS) {
      portIds.add(p);
      portIds.add(p + "-admin");
    }
    Map<String, InetSocketAddress> ports = LoopbackFederation.addresses(portIds);
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> flags = new ArrayList<>(DemoCommand.daemonJvmFlags(heap));
    if (nmt) flags.add("-XX:NativeMemoryTracking=summary");
    flags.addAll(jvmOpts);
    Map<String, String> environment = daemonEnvironment();
    environment.putAll(env);
    o.printf("Soak: 3 peer daemons, %d rounds, %d training images in three disjoint shards and %d test images (random subset of the embedded data), sample at round %d and every %d rounds%n",
        rounds, train, test, EARLY_ROUND, every);
    o.println("JVM flags: " + String.join(" ", flags) + "; environment: " + environment);
    for (String id : PEERS) {
      Path yml = dir.resolve("peer-" + id + ".yml");
      Files.writeString(yml, DemoCommand.peerYaml("soak", PEERS, id, ports, certs, dir, password, "float",
          DemoCommand.settings(dev.ipa.alignment.protocol.FederationSettings.gradientForm(), rounds, "sign", dev.ipa.alignment.protocol.DpSettings.none(),
              dev.ipa.alignment.protocol.EarlyStop.NONE), data.toString(), null));
      List<String> cmd = new ArrayList<>(List.of(java));
      cmd.addAll(flags);
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.ipa.peer.PeerDaemon", "--config", yml.toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().putAll(environment);
      pb.environment().put("IPA_ADMIN_PASSWORD", password);
      pb.redirectErrorStream(true).redirectOutput(dir.resolve("peer-" + id + ".log").toFile());
      processes.add(pb.start());
      o.printf("Started peer %s (pid %d), log %s%n", id, processes.get(processes.size() - 1).pid(), dir.resolve("peer-" + id + ".log"));
    }
    o.flush();

    TreeSet<Integer> marks = new TreeSet<>();
    marks.add(EARLY_ROUND);
    for (int r = every; r <= rounds; r += every) marks.add(r);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MINUTES.toNanos(timeoutMinutes);
    List<Sample> samples = new ArrayList<>();
    Integer[] next = new Integer[PEERS.size()];
    Arrays.fill(next, marks.first());
    int[] done = new int[PEERS.size()];
    Table live = new Table("round", "peer", "RSS MiB", "heap committed", "non-heap committed", "direct", "NMT committed", "RSS - NMT");
    try (Progress bar = Progress.start("soak", (long) rounds * PEERS.size())) {
      while (Arrays.stream(next).anyMatch(n -> n != null)) {
        for (int i = 0; i < PEERS.size(); i++) {
          String id = PEERS.get(i);
          Process p = processes.get(i);
          if (!p.isAlive()) throw new Ipa.UserError("Peer " + id + " exited with code " + p.exitValue() + "; see " + dir.resolve("peer-" + id + ".log") + ".");
          JsonNode s = DemoCommand.get(http, auth, ports.get(id + "-admin"), "/api/status");
          if (s == null) continue;
          boolean ended = dev.ipa.peer.federation.PeerState.ended(s.path("state").asText());
          done[i] = ended ? rounds : Math.max(0, s.path("round").asInt(-1) + 1);
          if (ended && done[i] < rounds) throw new Ipa.UserError("Peer " + id + " ended early (" + s.path("state").asText() + "); see " + dir.resolve("peer-" + id + ".log") + ".");
          if (next[i] != null && done[i] >= next[i]) {
            Sample m = sample(id, p.pid(), next[i], (System.nanoTime() - start) / 1e9, http, auth, ports.get(id + "-admin"));
            samples.add(m);
            next[i] = marks.higher(done[i]);
            String line = String.format("round %d, peer %s: RSS %s MiB, heap %s + non-heap %s MiB committed, direct %s MiB%s", m.round(), id, mib(m.rss()),
                mib(m.heapCommitted()), mib(m.nonHeapCommitted()), mib(m.direct()), m.nmtCommitted() < 0 ? "" : ", NMT committed " + mib(m.nmtCommitted()) + " MiB");
            live.row(m.round(), id, mib(m.rss()), mib(m.heapCommitted()), mib(m.nonHeapCommitted()), mib(m.direct()), mib(m.nmtCommitted()), m.nmtCommitted() < 0 ? "-" : String.format("%+.0f", (m.rss() - m.nmtCommitted()) / 1048576.0));
            bar.extra(line);
            if (System.console() == null) o.println("  " + line);
            o.flush();
          }
        }
        bar.stepTo(Arrays.stream(done).sum());
        if (System.nanoTime() > deadline) throw new Ipa.UserError("The soak did not finish within " + timeoutMinutes + " minutes; see the peer logs in " + dir + ".");
        Thread.sleep(250);
      }
    }
    Map<String, long[]> trimmed = new LinkedHashMap<>();
    if (trim) {
      for (int i = 0; i < PEERS.size(); i++) {
        long pid = processes.get(i).pid();
        long before = DemoCommand.rss(pid);
        jcmd(pid, "System.trim_native_heap");
        trimmed.put(PEERS.get(i), new long[] {before, DemoCommand.rss(pid)});
      }
    }
    stopProcesses();
    report(o, dir, samples, live, flags, environment, trimmed);
  }

  private void report(PrintWriter o, Path dir, List<Sample> samples, Table live, List<String> flags, Map<String, String> environment,
      Map<String, long[]> trimmed) {
    int first = every >= EARLY_ROUND ? every : EARLY_ROUND;
    int last = samples.stream().mapToInt(Sample::round).max().orElse(0);
    Table t = new Table("peer", "RSS @" + EARLY_ROUND, "RSS @" + first, "RSS @" + last, "growth " + first + "→" + last, "within 10%",
        "JVM committed @" + first, "JVM committed @" + last);
    List<Map<String, Object>> peers = new ArrayList<>();
    for (String id : PEERS) {
      Sample early = find(samples, id, EARLY_ROUND);
      Sample a = find(samples, id, first);
      Sample b = find(samples, id, last);
      double growth = (double) (b.rss() - a.rss()) / a.rss();
      t.row(id, mib(early.rss()), mib(a.rss()), mib(b.rss()), String.format("%+.1f%%", 100 * growth), Math.abs(growth) <= 0.10 ? "yes" : "NO",
          mib(jvm(a)), mib(jvm(b)));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("peer", id);
      row.put("rssFirstBytes", a.rss());
      row.put("rssLastBytes", b.rss());
      row.put("growth", growth);
      if (trimmed.containsKey(id)) {
        row.put("rssBeforeTrimBytes", trimmed.get(id)[0]);
        row.put("rssAfterTrimBytes", trimmed.get(id)[1]);
      }
      peers.add(row);
    }
    o.println();
    o.println("Every sample (MiB; JVM figures from the peer's /prometheus, NMT from jcmd VM.native_memory summary):");
    o.print(live);
    o.println();
    o.printf("RSS of each peer daemon, round %d against round %d (goal: within 10%%):%n", last, first);
    o.print(t);
    trimmed.forEach((id, rss) -> o.printf("Peer %s after the last round: RSS %s MiB, after malloc_trim (jcmd System.trim_native_heap) %s MiB: the C allocator held %s MiB free.%n",
        id, mib(rss[0]), mib(rss[1]), mib(rss[0] - rss[1])));
    List<List<Object>> rows = new ArrayList<>();
    for (Sample s : samples) {
      rows.add(List.of(s.peer(), s.round(), String.format("%.1f", s.seconds()), s.rss(), s.heapCommitted(), s.nonHeapCommitted(), s.direct(), s.nmtCommitted()));
    }
    Reports.writeCsv(dir.resolve("samples.csv"), List.of("peer", "round", "seconds", "rss_bytes", "heap_committed_bytes", "nonheap_committed_bytes",
        "direct_bytes", "nmt_committed_bytes"), rows);
    Map<String, Object> report = new LinkedHashMap<>();
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("rounds", rounds);
    config.put("every", every);
    config.put("trainImages", train);
    config.put("testImages", test);
    config.put("jvmFlags", flags);
    config.put("environment", environment);
    report.put("config", config);
    report.put("peers", peers);
    report.put("samples", samples);
    Reports.writeJson(dir.resolve("report.json"), report);
    Map<String, double[][]> lines = new LinkedHashMap<>();
    for (String id : PEERS) {
      List<Sample> mine = samples.stream().filter(s -> s.peer().equals(id)).toList();
      lines.put("RSS " + id, new double[][] {mine.stream().mapToDouble(Sample::round).toArray(), mine.stream().mapToDouble(s -> s.rss() / 1048576.0).toArray()});
      lines.put("JVM committed " + id, new double[][] {mine.stream().mapToDouble(Sample::round).toArray(), mine.stream().mapToDouble(s -> jvm(s) / 1048576.0).toArray()});
    }
    Reports.lineChart(dir.resolve("rss.png"), "Peer daemon memory over " + rounds + " rounds", "round", "MiB", lines);
    o.println("Figures: " + dir.resolve("samples.csv") + ", " + dir.resolve("report.json") + ", " + dir.resolve("rss.png") + "; peer logs in " + dir);
    o.flush();
  }

  private static long jvm(Sample s) {
    return s.heapCommitted() + s.nonHeapCommitted() + Math.max(0, s.direct());
  }

  private static Sample find(List<Sample> samples, String peer, int round) {
    return samples.stream().filter(s -> s.peer().equals(peer) && s.round() == round).findFirst()
        .orElseThrow(() -> new IllegalStateException("No sample of peer " + peer + " at round " + round + "."));
  }

  private Sample sample(String id, long pid, int round, double seconds, HttpClient http, String auth, InetSocketAddress admin) {
    long rss = DemoCommand.rss(pid);
    Map<String, Double> m = prometheus(http, auth, admin);
    long nmtTotal = -1;
    Map<String, Long> categories = new LinkedHashMap<>();
    if (nmt) {
      String summary = jcmd(pid, "VM.native_memory", "summary");
      Matcher total = NMT_TOTAL.matcher(summary);
      if (total.find()) nmtTotal = Long.parseLong(total.group(2)) * 1024;
      Matcher c = NMT_CATEGORY.matcher(summary);
      while (c.find()) categories.put(c.group(1).trim(), Long.parseLong(c.group(3)) * 1024);
    }
    return new Sample(id, round, seconds, rss, sum(m, "jvm_memory_committed_bytes", "area=\"heap\""), sum(m, "jvm_memory_committed_bytes", "area=\"nonheap\""),
        sum(m, "jvm_buffer_memory_used_bytes", "id=\"direct\""), nmtTotal, categories);
  }

  /** Every sample line of the peer's /prometheus page, by its full series name with labels. */
  private static Map<String, Double> prometheus(HttpClient http, String auth, InetSocketAddress admin) {
    Map<String, Double> out = new LinkedHashMap<>();
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + "/prometheus")).header("Authorization", auth)
          .timeout(Duration.ofSeconds(5)).GET().build();
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) return out;
      for (String line : r.body().split("\n")) {
        int space = line.lastIndexOf(' ');
        if (line.startsWith("#") || space < 0) continue;
        try {
          out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        } catch (NumberFormatException ignored) {
          // not a sample line
        }
      }
    } catch (IOException e) {
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  /** The sum of the series of {@code metric} whose labels contain {@code label}, or -1 if there is none. */
  private static long sum(Map<String, Double> series, String metric, String label) {
    double total = 0;
    boolean found = false;
    for (var e : series.entrySet()) {
      String name = e.getKey();
      if ((name.equals(metric) || name.startsWith(metric + "{")) && name.contains(label)) {
        total += e.getValue();
        found = true;
      }
    }
    return found ? (long) total : -1;
  }

  private static String jcmd(long pid, String... command) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
    cmd.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(30, TimeUnit.SECONDS);
      return text;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /**
   * A random subset of the embedded data ({@code train} and {@code test} images, seed 0) as the four gzipped IDX
   * files a peer reads from a directory.
   */
  static Path writeSubset(Path dir, int train, int test) {
    TrainTest all = FashionMnist.embedded();
    if (train > all.train().count() || test > all.test().count()) {
      throw new IllegalArgumentException("--train and --test can be at most " + all.train().count() + " and " + all.test().count()
          + " (the embedded subset), got " + train + " and " + test + ".");
    }
    Random random = new Random(0);
    try {
      Files.createDirectories(dir);
      writeIdx(dir, "train", all.train().subset(firstOfShuffled(all.train().count(), train, random)));
      writeIdx(dir, "t10k", all.test().subset(firstOfShuffled(all.test().count(), test, random)));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write the soak's data subset to " + dir + ": " + e.getMessage(), e);
    }
    return dir;
  }

  private static int[] firstOfShuffled(int count, int n, Random random) {
    int[] idx = new int[count];
    for (int i = 0; i < count; i++) idx[i] = i;
    for (int i = count - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    int[] first = Arrays.copyOf(idx, n);
    Arrays.sort(first);
    return first;
  }

  /** IDX: magic 0x803, count, rows, cols, then the pixels; labels: magic 0x801, count, then one byte each. */
  private static void writeIdx(Path dir, String prefix, Dataset d) throws IOException {
    try (OutputStream raw = Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz"));
         DataOutputStream images = new DataOutputStream(new GZIPOutputStream(raw))) {
      images.writeInt(IdxReader.IMAGES_MAGIC);
      images.writeInt(d.count());
      images.writeInt(d.rows());
      images.writeInt(d.cols());
      images.write(d.pixels());
    }
    try (OutputStream raw = Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte.gz"));
         DataOutputStream labels = new DataOutputStream(new GZIPOutputStream(raw))) {
      labels.writeInt(IdxReader.LABELS_MAGIC);
      labels.writeInt(d.count());
      labels.write(d.labels());
    }
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "-" : String.format("%.0f", bytes / 1048576.0);
  }

  private synchronized void stopProcesses() {
    DemoCommand.stop(processes);
  }
}
