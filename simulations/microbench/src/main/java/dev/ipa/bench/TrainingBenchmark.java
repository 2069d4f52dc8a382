package dev.ipa.bench;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.train.GradientPenalty;
import dev.ipa.alignment.train.LocalTrainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures training throughput (steps/s and samples/s) of a model at a batch size, and the GFLOP/s of a
 * 1024² float32 matrix product as a yardstick for what the BLAS underneath can do on this machine. A benchmark:
 * it prints figures, it asserts nothing.
 */
public final class TrainingBenchmark {
  private TrainingBenchmark() {}

  /** Result of one measurement. */
  public record Result(String model, int batch, int steps, double seconds, double stepsPerSecond, double samplesPerSecond) {}

  /** Trains {@code warmup} then {@code steps} steps on {@code data} and times the latter. */
  public static Result trainingThroughput(Dataset data, String modelSpec, int batch, int warmup, int steps, long seed) {
    Architecture a = Architecture.parse(modelSpec, data.channels(), data.rows(), data.cols(), data.numClasses());
    Network net = Network.create(a, seed);
    int[] all = new int[data.count()];
    for (int i = 0; i < all.length; i++) all[i] = i;
    LocalTrainer t = new LocalTrainer(net, data, all, batch, 1e-3, seed);
    t.trainSteps(warmup, GradientPenalty.NONE);
    long start = System.nanoTime();
    t.trainSteps(steps, GradientPenalty.NONE);
    double s = (System.nanoTime() - start) / 1e9;
    return new Result(a.describe(), batch, steps, s, steps / s, steps * (double) batch / s);
  }

  /** GFLOP/s of C = A·B for n×n float32 matrices (2n³ flops per product), best of {@code reps}. */
  public static double matmulGflops(int n, int reps) {
    INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
    INDArray c = Nd4j.create(DataType.FLOAT, n, n);
    Nd4j.gemm(a, b, c, false, false, 1.0, 0.0); // warm up
    double best = Double.MAX_VALUE;
    for (int r = 0; r < reps; r++) {
      long start = System.nanoTime();
      Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
      best = Math.min(best, (System.nanoTime() - start) / 1e9);
    }
    return 2.0 * n * n * (double) n / best / 1e9;
  }
}
