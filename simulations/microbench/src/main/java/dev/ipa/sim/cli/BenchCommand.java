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
@Command(name = "bench", description = "Benchmarks that print figures (training, codecs, transport, simulation, tables, prediction).",
    subcommands = {BenchCommand.Train.class, BenchCommand.Codecs.class, BenchCommand.Transport.class, BenchCommand.Simulate.class, BenchCommand.Peer.class, BenchCommand.Data.class, PredictBench.class})
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

  /** Round time and heap of simulations with growing numbers of peers (MLP, IID shards, full mesh). */
  @Command(name = "simulate", description = "Round time and heap for 10, 25, 50 and 100 simulated peers (MLP, IID).")
  public static final class Simulate implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin DataOption data;

    @Option(names = "--peers", defaultValue = "10,25,50,100", split = ",", description = "Federation sizes. Default: ${DEFAULT-VALUE}.")
    int[] sizes;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds per size; the first is warm-up. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--algo", defaultValue = "ipa", description = "Algorithm. Default: ${DEFAULT-VALUE}.")
    String algo;

    @Override
    public void run() {
      PrintWriter o = spec.commandLine().getOut();
      TrainTest tt = data.load();
      o.println("Data: " + tt.describe());
      o.printf("Cores %d, max heap %s, OMP_NUM_THREADS=%s%n", Runtime.getRuntime().availableProcessors(),
          dev.ipa.sim.engine.SimulationReport.human(Runtime.getRuntime().maxMemory()), System.getenv("OMP_NUM_THREADS"));
      o.flush();
      Table t = new Table("peers", "samples/peer", "s/round", "s/round/peer", "peak heap", "heap after");
      for (int n : sizes) {
        var base = dev.ipa.alignment.protocol.FederationSettings.defaults();
        var c = base.common();
        var fed = new dev.ipa.alignment.protocol.FederationSettings(dev.ipa.alignment.protocol.Algorithm.parse(algo),
            new dev.ipa.alignment.protocol.CommonSettings(rounds, 1, c.topology(), c.earlyStop(), java.time.Duration.ofMinutes(30), c.codec(), 0,
                c.protocol(), c.staleness()),
            base.ipa(), base.fedProx());
        var cfg = new dev.ipa.sim.engine.SimulationConfig(n, dev.ipa.alignment.partition.PartitionSpec.parse("iid"), "mlp", "float", 50, 1e-3, 0.1,
            fed, dev.ipa.transport.InMemoryNetwork.Faults.NONE, 1000, "memory");
        System.gc();
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) pool.resetPeakUsage();
        long[] roundEnd = new long[rounds];
        int[] finished = new int[rounds];
        long start = System.nanoTime();
        try {
          new dev.ipa.sim.engine.Simulation(tt, cfg, i -> dev.ipa.alignment.model.WeightTransform.IDENTITY).run((peer, round, pr) -> {
            synchronized (finished) {
              if (++finished[round] == n) roundEnd[round] = System.nanoTime();
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
        System.gc();
        long after = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        // Rounds after the first, excluding the last round's test-set evaluation.
        double perRound = rounds > 2 ? (roundEnd[rounds - 2] - roundEnd[0]) / 1e9 / (rounds - 2) : (roundEnd[rounds - 1] - start) / 1e9 / rounds;
        t.row(n, tt.train().count() / n, String.format("%.2f", perRound), String.format("%.3f", perRound / n),
            dev.ipa.sim.engine.SimulationReport.human(peak), dev.ipa.sim.engine.SimulationReport.human(after));
        o.printf("%d peers: %.2f s per round%n", n, perRound);
        o.flush();
      }
      o.print(t);
      o.flush();
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
          Table t = new Table("run", "rows/s", "MB/s", "read s", "total s", "inputs", "matrix MB", "peak heap MB", "peak / matrix");
          for (int r = 1; r <= repeat; r++) {
            dev.ipa.bench.TableBenchmark.Result res = dev.ipa.bench.TableBenchmark.run(f, rows);
            long peak = res.peakHeapBytes() - res.baseHeapBytes();
            t.row(r, String.format("%,.0f", res.rowsPerSecond()), String.format("%.1f", res.megabytesPerSecond()),
                String.format("%.2f", res.readSeconds()), String.format("%.2f", res.seconds()), res.width(),
                String.format("%.0f", res.matrixBytes() / 1e6), String.format("%.0f", peak / 1e6),
                String.format("%.2f", peak / (double) res.matrixBytes()));
          }
          o.print(t);
          o.println("Peak heap: the sum of the heap pools' peaks during read + statistics + encode, less the heap in use before; an upper bound.");
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
