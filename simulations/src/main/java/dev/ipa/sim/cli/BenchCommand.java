package dev.ipa.sim.cli;

import dev.ipa.alignment.data.TrainTest;
import dev.ipa.alignment.train.TrainingBenchmark;
import dev.ipa.sim.report.Table;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ipa bench ...}: benchmarks that print figures. None of them is a test; none asserts a time. */
@Command(name = "bench", description = "Benchmarks that print figures (training, codecs, transport, simulation).",
    subcommands = {BenchCommand.Train.class, BenchCommand.Simulate.class})
public final class BenchCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
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
        var fed = new dev.ipa.alignment.protocol.FederationSettings(dev.ipa.alignment.protocol.Algorithm.parse(algo), base.lambda(), base.distance(),
            base.weighting(), base.normalise(), base.extrapolate(), base.mu(), 1, base.topology(), rounds, base.earlyStop(),
            java.time.Duration.ofMinutes(30), base.codec(), 0);
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
}
