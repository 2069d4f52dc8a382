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
    subcommands = {BenchCommand.Train.class})
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
}
