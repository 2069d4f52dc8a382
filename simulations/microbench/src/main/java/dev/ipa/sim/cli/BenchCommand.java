package dev.ipa.sim.cli;

import dev.ipa.alignment.data.TrainTest;
import dev.ipa.bench.TrainingBenchmark;
import dev.ipa.sim.report.Table;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ipa bench ...}: benchmarks that print figures. None of them is a test; none asserts a time. It lives in
 * the microbench module, apart from every production jar (as Netty's {@code microbench}), and joins the
 * {@code ipa} command line through {@link CommandExtension} when that module is on the class path, as the
 * {@code ipa} launcher puts it.
 */
@Command(name = "bench", description = "Benchmarks that print figures (training, codecs, transport, simulation, peer memory, tables, prediction).",
    subcommands = {BenchCommand.Train.class, BenchCommand.Codecs.class, BenchCommand.Transport.class, BenchCommand.Simulate.class, BenchCommand.Peer.class, PeerSoak.class,
        BenchCommand.Data.class, PredictBench.class})
public final class BenchCommand implements Runnable, CommandExtension {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Override
  public Object command() {
    return new BenchCommand();
  }

  /**
   * Training throughput of the MLP or CNN at each batch size, each run followed at once by the same run in
   * PyTorch (when a python3 with torch is found), so the ratio is measured side by side on a noisy machine; then
   * the BLAS matrix-product yardstick.
   */
  @Command(name = "train", description = "Training samples/s (MLP or CNN, batch 50 and 256) side by side with PyTorch, and 1024² matmul GFLOP/s.")
  public static final class Train implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin DataOption data;

    @Option(names = "--model", defaultValue = "mlp", description = "Model to time: mlp, cnn or a spec such as mlp:300,100 (PyTorch runs only the defaults). Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--batch", defaultValue = "50,256", split = ",", description = "Batch sizes. Default: ${DEFAULT-VALUE}.")
    int[] batches;

    @Option(names = "--steps", defaultValue = "1000", description = "Timed steps at batch 50; other batch sizes time as many samples. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--repeat", defaultValue = "3", description = "Repetitions; all are printed. Default: ${DEFAULT-VALUE}.")
    int repeat;

    @Option(names = "--python", split = ",", description = "Python interpreters to try for the PyTorch side. Default: python3 on the PATH, then /usr/bin/python3.")
    List<String> python = List.of();

    @Option(names = "--no-pytorch", description = "Time this project only.")
    boolean noPytorch;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every run and the summary as JSON to FILE.")
    java.nio.file.Path json;

    @Override
    public void run() {
      PrintWriter o = spec.commandLine().getOut();
      if (steps < 1 || repeat < 1 || java.util.Arrays.stream(batches).anyMatch(b -> b < 1)) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--steps, --repeat and every --batch must be at least 1.");
      }
      TrainTest tt = data.load();
      o.println("Data: " + tt.describe());
      int threads = threads();
      String omp = System.getenv("OMP_NUM_THREADS");
      o.printf("Threads: %d cores available, OMP_NUM_THREADS=%s; both sides get %d thread(s) (ND4J/OpenBLAS by OMP_NUM_THREADS, PyTorch by torch.set_num_threads)%n",
          Runtime.getRuntime().availableProcessors(), omp == null ? "unset" : omp, threads);
      Optional<dev.ipa.bench.PyTorchReference> torch = pytorch(tt, o);
      o.flush();
      Table t = new Table("run", "batch", "framework", "steps", "seconds", "cores busy", "samples/s");
      Map<Integer, List<double[]>> pairs = new LinkedHashMap<>();
      List<Map<String, Object>> runs = new ArrayList<>();
      String described = null;
      for (int r = 1; r <= repeat; r++) {
        for (int b : batches) {
          int n = Math.max(20, (int) Math.round(steps * 50.0 / b));
          int warmup = Math.min(n, Math.max(30, 15_000 / b)); // 300 steps at batch 50: until then the JIT is still compiling
          TrainingBenchmark.Result res = TrainingBenchmark.trainingThroughput(tt.train(), model, b, warmup, n, r);
          described = res.model();
          t.row(r, b, "ipa (ND4J)", n, String.format("%.2f", res.seconds()), String.format("%.2f", res.cpuSeconds() / res.seconds()),
              String.format("%.0f", res.samplesPerSecond()));
          runs.add(Map.of("run", r, "batch", b, "framework", "ipa", "steps", n, "seconds", res.seconds(), "cpuSeconds", res.cpuSeconds(),
              "samplesPerSecond", res.samplesPerSecond()));
          double theirs = Double.NaN;
          if (torch.isPresent()) {
            dev.ipa.bench.PyTorchReference.Result p =
                torch.get().measure(java.nio.file.Path.of(tt.source()), family(), b, Math.max(10, warmup / 6), n, threads, r);
            theirs = p.samplesPerSecond();
            t.row(r, b, p.framework(), n, String.format("%.2f", p.seconds()), String.format("%.2f", p.cpuSeconds() / p.seconds()),
                String.format("%.0f", p.samplesPerSecond()));
            runs.add(Map.of("run", r, "batch", b, "framework", p.framework(), "steps", n, "seconds", p.seconds(), "cpuSeconds", p.cpuSeconds(),
                "samplesPerSecond", p.samplesPerSecond()));
          }
          pairs.computeIfAbsent(b, k -> new ArrayList<>()).add(new double[] {res.samplesPerSecond(), theirs});
          o.print(t);
          o.flush();
          t = new Table("run", "batch", "framework", "steps", "seconds", "cores busy", "samples/s");
        }
      }
      o.println();
      o.println("Model: " + described + ", Adam 1e-3, summed cross-entropy; medians over " + repeat + " run(s), ratio = median of each run's ipa/PyTorch pair");
      Table summary = new Table("batch", "ipa samples/s", "PyTorch samples/s", "ipa / PyTorch");
      List<Map<String, Object>> medians = new ArrayList<>();
      pairs.forEach((b, list) -> {
        double ours = median(list.stream().mapToDouble(p -> p[0]).toArray());
        double theirs = median(list.stream().mapToDouble(p -> p[1]).toArray());
        double ratio = median(list.stream().mapToDouble(p -> p[0] / p[1]).toArray());
        summary.row(b, String.format("%.0f", ours), Double.isNaN(theirs) ? "-" : String.format("%.0f", theirs),
            Double.isNaN(ratio) ? "-" : String.format("%.2fx", ratio));
        medians.add(Map.of("batch", b, "ipaSamplesPerSecond", ours, "pytorchSamplesPerSecond", theirs, "ratio", ratio));
      });
      o.print(summary);
      double gflops = TrainingBenchmark.matmulGflops(1024, 10);
      o.printf("1024x1024 float32 matmul: %.1f GFLOP/s (best of 10)%n", gflops);
      o.flush();
      if (json != null) writeJson(described, threads, torch, runs, medians, gflops);
    }

    private int threads() {
      String omp = System.getenv("OMP_NUM_THREADS");
      if (omp != null) {
        try {
          return Math.max(1, Integer.parseInt(omp.trim()));
        } catch (NumberFormatException e) {
          throw new picocli.CommandLine.ParameterException(spec.commandLine(), "OMP_NUM_THREADS='" + omp + "' is not a number; set it to 1 or 2.");
        }
      }
      return org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads();
    }

    /** The PyTorch side's model name, or null when the spec is not one of the two defaults it mirrors. */
    private String family() {
      String s = model.trim().toLowerCase(java.util.Locale.ROOT);
      return s.equals("mlp") || s.equals("mlp:200,200") ? "mlp" : s.equals("cnn") || s.equals("cnn:16,32,128") ? "cnn" : null;
    }

    private Optional<dev.ipa.bench.PyTorchReference> pytorch(TrainTest tt, PrintWriter o) {
      if (noPytorch) return Optional.empty();
      if (family() == null) {
        o.println("PyTorch: skipped; its script mirrors only the default mlp (200,200) and cnn (16,32,128), not " + model + ".");
        return Optional.empty();
      }
      if (!java.nio.file.Files.isDirectory(java.nio.file.Path.of(tt.source()))) {
        o.println("PyTorch: skipped; it reads IDX files from a directory, and this data is " + tt.source() + " (pass --data DIR).");
        return Optional.empty();
      }
      StringBuilder why = new StringBuilder();
      Optional<dev.ipa.bench.PyTorchReference> torch = dev.ipa.bench.PyTorchReference.find(python, why);
      o.println(torch.map(p -> "PyTorch: torch " + p.version() + " from " + p.python() + ", run after each of ours").orElse("PyTorch: skipped; " + why));
      return torch;
    }

    private void writeJson(String described, int threads, Optional<dev.ipa.bench.PyTorchReference> torch, List<Map<String, Object>> runs,
        List<Map<String, Object>> medians, double gflops) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("model", described);
      doc.put("threads", threads);
      doc.put("pytorch", torch.map(dev.ipa.bench.PyTorchReference::version).orElse(null));
      doc.put("runs", runs);
      doc.put("summary", medians);
      doc.put("matmulGflops", gflops);
      try {
        new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), doc);
      } catch (java.io.IOException e) {
        throw new IllegalStateException("Could not write " + json + ": " + e.getMessage(), e);
      }
    }

    private static double median(double[] v) {
      double[] s = v.clone();
      java.util.Arrays.sort(s);
      return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
  }

  /**
   * Round time and memory of simulations with growing numbers of peers (MLP, IID shards, shipped defaults with one
   * exchange per epoch). With {@code --samples-per-peer} every peer trains on the same number of samples whatever
   * N, so the work per round grows with N and round time per peer should stay flat.
   *
   * <p>Memory is measured without a profiler: peak heap is the sum of the heap pools' peak usage
   * ({@link java.lang.management.MemoryPoolMXBean#getPeakUsage}, reset before each size after a GC), which includes
   * garbage not yet collected, so it depends on -Xmx and the collector; "live heap" is the heap in use after a GC
   * at the second-to-last round, while every peer still exists (what the peers hold); RSS is the process's resident
   * memory at the same moment ({@code VmRSS} of /proc/self/status), which adds ND4J's off-heap arrays.
   */
  @Command(name = "simulate", description = "Round time, round time per peer, heap and heap per peer for N simulated peers (MLP, IID).")
  public static final class Simulate implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin DataOption data;

    @Option(names = "--peers", defaultValue = "10,25,50,100", split = ",", description = "Federation sizes. Default: ${DEFAULT-VALUE}.")
    int[] sizes;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds per size; the first is warm-up, the last also evaluates on the test set. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--algo", defaultValue = "ipa", description = "Algorithm. Default: ${DEFAULT-VALUE}.")
    String algo;

    @Option(names = "--topology", defaultValue = "full", description = "full, ring or random:K. Default: ${DEFAULT-VALUE}.")
    String topology;

    @Option(names = "--samples-per-peer", defaultValue = "0",
        description = "Training samples per peer (the first N·S/0.9 of the training set, split IID; 10% validate); 0 = the whole set split N ways. Default: ${DEFAULT-VALUE}.")
    int samplesPerPeer;

    @Option(names = "--test-samples", defaultValue = "0", description = "Test samples each peer is evaluated on in the last round; 0 = all. Default: ${DEFAULT-VALUE}.")
    int testSamples;

    @Option(names = "--out", description = "Run directory for bench-simulate.json. Default: runs/bench-simulate-<time>.")
    String out;

    @Override
    public void run() {
      PrintWriter o = spec.commandLine().getOut();
      if (rounds < 2) throw new IllegalArgumentException("--rounds must be at least 2 (the first is warm-up), got " + rounds + ".");
      if (samplesPerPeer < 0 || testSamples < 0) throw new IllegalArgumentException("--samples-per-peer and --test-samples must be ≥ 0.");
      dev.ipa.alignment.protocol.Topology top = dev.ipa.alignment.protocol.Topology.parse(topology);
      TrainTest full = data.load();
      o.println("Data: " + full.describe());
      o.printf("Cores %d, max heap %s, OMP_NUM_THREADS=%s, topology %s, %s samples per peer%n", Runtime.getRuntime().availableProcessors(),
          dev.ipa.sim.engine.SimulationReport.human(Runtime.getRuntime().maxMemory()), System.getenv("OMP_NUM_THREADS"), top,
          samplesPerPeer == 0 ? "all" : samplesPerPeer);
      o.flush();
      for (int n : sizes) trainingSamples(full, n); // every size's data fits, before anything is written or run
      java.nio.file.Path dir = dev.ipa.sim.report.Reports.runDirectory(out, "bench-simulate");
      Table t = new Table("peers", "samples/peer", "s/round", "s/round/peer", "peak heap", "peak heap/peer", "live heap", "live heap/peer", "RSS", "RSS/peer");
      List<java.util.Map<String, Object>> json = new java.util.ArrayList<>();
      for (int n : sizes) {
        TrainTest tt = subset(full, n);
        var base = dev.ipa.alignment.protocol.FederationSettings.defaults();
        var c = base.common();
        var fed = new dev.ipa.alignment.protocol.FederationSettings(dev.ipa.alignment.protocol.Algorithm.parse(algo),
            new dev.ipa.alignment.protocol.CommonSettings(rounds, 1, top, c.earlyStop(), java.time.Duration.ofMinutes(30), c.codec(), 0,
                c.protocol(), c.staleness()),
            base.ipa(), base.fedProx());
        var cfg = new dev.ipa.sim.engine.SimulationConfig(n, dev.ipa.alignment.partition.PartitionSpec.parse("iid"), "mlp", "float", 50, 1e-3, 0.1, 0,
            fed, dev.ipa.transport.InMemoryNetwork.Faults.NONE, 1000, "memory");
        System.gc();
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) pool.resetPeakUsage();
        long[] roundEnd = new long[rounds];
        int[] finished = new int[rounds];
        long[] live = new long[1];
        long[] rss = new long[1];
        try {
          new dev.ipa.sim.engine.Simulation(tt, cfg, i -> dev.ipa.alignment.model.WeightTransform.IDENTITY).run((peer, round, pr) -> {
            boolean last;
            synchronized (finished) {
              last = ++finished[round] == n;
              if (last) roundEnd[round] = System.nanoTime();
            }
            // Every peer holds all it will hold once the second-to-last round is over: measure live memory there.
            if (last && round == rounds - 2) {
              System.gc();
              live[0] = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
              rss[0] = residentBytes();
            }
          });
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        long peak = 0;
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
          if (pool.getType() == java.lang.management.MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
        }
        // Rounds after the first, up to the second-to-last: neither warm-up nor the last round's test-set evaluation.
        double perRound = rounds > 2 ? (roundEnd[rounds - 2] - roundEnd[0]) / 1e9 / (rounds - 2) : (roundEnd[1] - roundEnd[0]) / 1e9;
        int perPeer = (int) Math.round(tt.train().count() * 0.9 / n);
        t.row(n, perPeer, String.format("%.2f", perRound), String.format("%.4f", perRound / n), human(peak), human(peak / n), human(live[0]),
            human(live[0] / n), human(rss[0]), human(rss[0] / n));
        java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("peers", n);
        row.put("samplesPerPeer", perPeer);
        row.put("secondsPerRound", perRound);
        row.put("secondsPerRoundPerPeer", perRound / n);
        row.put("peakHeapBytes", peak);
        row.put("peakHeapBytesPerPeer", peak / n);
        row.put("liveHeapBytes", live[0]);
        row.put("liveHeapBytesPerPeer", live[0] / n);
        row.put("residentBytes", rss[0]);
        row.put("residentBytesPerPeer", rss[0] / n);
        json.add(row);
        o.printf("%d peers: %.2f s per round, peak heap %s, live heap %s%n", n, perRound, human(peak), human(live[0]));
        o.flush();
      }
      o.print(t);
      java.util.Map<String, Object> doc = new java.util.LinkedHashMap<>();
      doc.put("data", full.describe());
      doc.put("topology", top.toString());
      doc.put("rounds", rounds);
      doc.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
      doc.put("heapMeasure", "peak: sum of the heap MemoryPoolMXBeans' peak usage; live: MemoryMXBean heap used after System.gc() at the second-to-last round");
      doc.put("sizes", json);
      dev.ipa.sim.report.Reports.writeJson(dir.resolve("bench-simulate.json"), doc);
      o.println("Wrote " + dir.resolve("bench-simulate.json"));
      o.flush();
    }

    /** How many training samples N peers of {@code --samples-per-peer} need (10% more for validation); fails if the data has fewer. */
    private int trainingSamples(TrainTest tt, int n) {
      int want = (int) Math.ceil(n * (long) samplesPerPeer / 0.9);
      if (want > tt.train().count()) {
        throw new IllegalArgumentException(n + " peers of " + samplesPerPeer + " samples need " + want + " training samples but the data has "
            + tt.train().count() + "; lower --samples-per-peer or use the full data set.");
      }
      return want;
    }

    /** The training set cut to what N peers of {@code --samples-per-peer} need, and the test set to {@code --test-samples}. */
    private TrainTest subset(TrainTest tt, int n) {
      dev.ipa.alignment.data.Dataset train = tt.train();
      dev.ipa.alignment.data.Dataset test = tt.test();
      if (samplesPerPeer > 0) train = train.subset(java.util.stream.IntStream.range(0, trainingSamples(tt, n)).toArray());
      if (testSamples > 0 && testSamples < test.count()) test = test.subset(java.util.stream.IntStream.range(0, testSamples).toArray());
      return new TrainTest(train, test, tt.source());
    }

    /** The process's resident set (VmRSS), or 0 where /proc is not there. */
    private static long residentBytes() {
      try {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
          if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      } catch (java.io.IOException | NumberFormatException e) {
        // not Linux: no figure
      }
      return 0;
    }

    private static String human(long bytes) {
      return dev.ipa.sim.engine.SimulationReport.human(bytes);
    }
  }

  /** JMH: encode/decode throughput of every codec beside System.arraycopy, on one core. */
  @Command(name = "codecs", description = "JMH: codec encode/decode GB/s for 1 Mi and 16 Mi floats, beside System.arraycopy.",
      footer = "Any other arguments go to JMH as they are, e.g. -p codec=sign,arraycopy -wi 2 -f 1.")
  public static final class Codecs implements Runnable {
    @Option(names = "--quick", description = "One fork, short iterations (noisier).")
    boolean quick;

    // Everything else is JMH's own arguments (-p codec=sign, -wi 2, -f 1, ...), passed on in order as given.
    @picocli.CommandLine.Unmatched
    List<String> jmhArgs = new java.util.ArrayList<>();

    @Override
    public void run() {
      List<String> args = new java.util.ArrayList<>(List.of("CodecBenchmark"));
      if (quick) args.addAll(List.of("-wi", "1", "-i", "2", "-w", "1s", "-r", "1s"));
      args.addAll(jmhArgs);
      try {
        org.openjdk.jmh.Main.main(args.toArray(String[]::new));
      } catch (Exception e) {
        throw new IllegalStateException("JMH failed: " + e.getMessage(), e);
      }
    }
  }

  /** Snapshot throughput over loopback sockets (plaintext and TLS) against a plain socket copy. */
  @Command(name = "transport", description = "Snapshot MB/s over loopback, plaintext and TLS, beside a plain socket; heap while streaming.")
  public static final class Transport implements Runnable {
    @Option(names = "--sizes-mb", defaultValue = "1,100", split = ",", description = "Model sizes in MB (1024 = 1 GB needs -Xmx3g). Default: ${DEFAULT-VALUE}.")
    long[] sizesMb;

    @Override
    public void run() {
      long[] bytes = new long[sizesMb.length];
      for (int i = 0; i < bytes.length; i++) bytes[i] = sizesMb[i] * 1_000_000L;
      try {
        dev.ipa.bench.TransportBench.run(System.out, bytes);
      } catch (Exception e) {
        throw new IllegalStateException("The transport benchmark failed: " + e.getMessage(), e);
      }
    }
  }

  /** Resident memory and heap of real peer daemons (the demo's three JVMs, MLP, embedded data). */
  @Command(name = "peer", description = "Peak RSS and heap of three peer daemons (MLP) during a short federation.")
  public static final class Peer implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds to run. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Override
    public void run() {
      DemoCommand demo = new DemoCommand();
      demo.spec = spec;
      demo.rounds = rounds;
      demo.codec = "sign";
      demo.timeoutMinutes = 20;
      demo.run();
      PrintWriter o = spec.commandLine().getOut();
      Table t = new Table("peer", "peak RSS", "peak heap", "heap limit");
      for (int i = 0; i < 3; i++) {
        t.row(new String[] {"a", "b", "c"}[i], dev.ipa.sim.engine.SimulationReport.human(demo.peakRss[i]),
            dev.ipa.sim.engine.SimulationReport.human(demo.peakHeap[i]), demo.heap);
      }
      o.println();
      o.println("Peer daemon memory (sampled once a second while the federation ran):");
      o.print(t);
      o.flush();
    }
  }

  /** Parse + encode throughput and peak heap on a generated 1,000,000 × 20 CSV with mixed types and missing values. */
  @Command(name = "data", description = "Parse + encode rows/s, MB/s and peak heap on a generated CSV (default 1,000,000 rows × 20 mixed columns).")
  public static final class Data implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--rows", defaultValue = "1000000", description = "Rows to generate. Default: ${DEFAULT-VALUE}.")
    int rows;

    @Option(names = "--repeat", defaultValue = "3", description = "Timed runs; all are printed. Default: ${DEFAULT-VALUE}.")
    int repeat;

    @Option(names = "--file", paramLabel = "FILE", description = "Where to write the CSV. Default: a temporary file, deleted afterwards.")
    java.nio.file.Path file;

    @Override
    public void run() {
      PrintWriter o = spec.commandLine().getOut();
      try {
        java.nio.file.Path f = file != null ? file : java.nio.file.Files.createTempFile("ipa-bench-data", ".csv");
        try {
          long bytes = dev.ipa.bench.TableBenchmark.generate(f, rows, 1);
          o.printf("Generated %s: %,d rows × 20 columns (14 numeric, 5 categorical, 1 label; ~5%% missing), %.1f MB%n", f, rows, bytes / 1e6);
          o.printf("Cores: %d, max heap %d MB%n", Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
          o.flush();
          Table t = new Table("run", "rows/s", "MB/s", "MB/s per CPU s", "read s", "total s", "CPU s", "inputs", "matrix MB",
              "peak live MB", "live / matrix", "peak pools MB");
          for (int r = 1; r <= repeat; r++) {
            dev.ipa.bench.TableBenchmark.Result res = dev.ipa.bench.TableBenchmark.run(f, rows);
            long peak = res.peakHeapBytes() - res.baseHeapBytes();
            long live = res.peakLiveBytes() - res.baseHeapBytes();
            t.row(r, String.format("%,.0f", res.rowsPerSecond()), String.format("%.1f", res.megabytesPerSecond()),
                String.format("%.1f", res.bytes() / 1e6 / res.cpuSeconds()),
                String.format("%.2f", res.readSeconds()), String.format("%.2f", res.seconds()), String.format("%.2f", res.cpuSeconds()), res.width(),
                String.format("%.0f", res.matrixBytes() / 1e6), String.format("%.0f", live / 1e6),
                String.format("%.2f", live / (double) res.matrixBytes()), String.format("%.0f", peak / 1e6));
          }
          o.print(t);
          o.println("Peak live: the most heap in use right after a collection during read + statistics + encode (or at the end), less the heap "
              + "before. Peak pools: the sum of the heap pools' raw peaks, garbage included (an upper bound). MB/s per CPU s: file MB over the "
              + "process's CPU time, which a machine shared with other builds does not distort as it does wall time.");
          o.flush();
        } finally {
          if (file == null) java.nio.file.Files.deleteIfExists(f);
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("The benchmark could not write its CSV: " + e.getMessage(), e);
      }
    }
  }
}
