package dev.ipa.sim.cli;

import dev.ipa.alignment.data.TrainTest;
import dev.ipa.bench.TrainingBenchmark;
import dev.ipa.sim.report.Table;
import java.io.PrintWriter;
import java.util.List;
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
@Command(name = "bench", description = "Benchmarks that print figures (training, codecs, transport, simulation).",
    subcommands = {BenchCommand.Train.class, BenchCommand.Codecs.class, BenchCommand.Transport.class, BenchCommand.Simulate.class, BenchCommand.Peer.class})
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

  /** Training throughput of the MLP at batch 50, beside the BLAS matrix-product yardstick. */
  @Command(name = "train", description = "Training steps/s and samples/s (MLP, batch 50), and 1024² matmul GFLOP/s.")
  public static final class Train implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin DataOption data;

    @Option(names = "--model", defaultValue = "mlp", description = "Model to time. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--batch", defaultValue = "50", description = "Batch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--steps", defaultValue = "2000", description = "Timed steps per repetition. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--repeat", defaultValue = "3", description = "Repetitions; all are printed. Default: ${DEFAULT-VALUE}.")
    int repeat;

    @Override
    public void run() {
      PrintWriter o = spec.commandLine().getOut();
      TrainTest tt = data.load();
      o.println("Data: " + tt.describe());
      String omp = System.getenv("OMP_NUM_THREADS");
      o.printf("Threads: %d cores available, OMP_NUM_THREADS=%s (BLAS threads), ND4J max threads %s%n",
          Runtime.getRuntime().availableProcessors(), omp == null ? "unset" : omp,
          org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads());
      o.flush();
      Table t = new Table("run", "model", "batch", "steps", "seconds", "steps/s", "samples/s");
      for (int r = 1; r <= repeat; r++) {
        TrainingBenchmark.Result res = TrainingBenchmark.trainingThroughput(tt.train(), model, batch, 300, steps, r);
        t.row(r, res.model(), res.batch(), res.steps(), String.format("%.2f", res.seconds()),
            String.format("%.0f", res.stepsPerSecond()), String.format("%.0f", res.samplesPerSecond()));
      }
      o.print(t);
      o.printf("1024x1024 float32 matmul: %.1f GFLOP/s (best of 10)%n", TrainingBenchmark.matmulGflops(1024, 10));
      o.flush();
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
        var cfg = new dev.ipa.sim.engine.SimulationConfig(n, dev.ipa.alignment.partition.PartitionSpec.parse("iid"), "mlp", "float", 50, 1e-3, 0.1,
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
}
