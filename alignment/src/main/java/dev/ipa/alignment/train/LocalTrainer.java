package dev.ipa.alignment.train;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.model.Evaluation;
import dev.ipa.alignment.model.Network;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains one {@link Network} on a fixed set of samples with Adam and mini-batches, reshuffling every epoch from a
 * seed, so a run is reproducible and its position is three integers (epoch, cursor, optimiser step) that a
 * checkpoint can store.
 *
 * <p>Call order: construct → any mix of {@link #trainSteps}, {@link #trainEpoch} and {@link #evaluate}. Not
 * thread-safe: a trainer belongs to one peer.
 */
public final class LocalTrainer {
  /**
   * Local training defaults, the one place the CLI and the daemon take them from: the IPA paper's and PyTorch
   * reference set-up (Adam 1e-3, batch 50, the MLP 784-200-200-10, float weights).
   */
  public static final int DEFAULT_BATCH = 50;
  public static final double DEFAULT_LEARNING_RATE = 1e-3;
  public static final String DEFAULT_MODEL = "mlp";
  public static final String DEFAULT_WEIGHTS = "float";

  private final Network network;
  private final Dataset data;
  private final int[] samples;
  private final int batchSize;
  private final long seed;
  private final double learningRate;
  private final Adam adam;
  private final Map<Integer, INDArray> inputs = new HashMap<>();
  private final float[] featureBuffer;
  private final int[] labelBuffer;
  /**
   * Heap copies of θ and its gradient for the fused penalty and optimiser loops. They hold nothing between steps,
   * so trainers borrow them from a pool for the length of {@link #trainSteps} instead of owning 2·P floats each:
   * N simulated peers then hold as many pairs as train at once (one per core), not N.
   */
  private static final java.util.concurrent.ConcurrentHashMap<Integer, java.util.concurrent.ConcurrentLinkedQueue<float[][]>> SCRATCH =
      new java.util.concurrent.ConcurrentHashMap<>();
  private int[] order;
  private int epoch;
  private int cursor;

  public LocalTrainer(Network network, Dataset data, int[] samples, int batchSize, double learningRate, long seed) {
    if (samples.length == 0) throw new IllegalArgumentException("Cannot train on an empty set of samples.");
    if (batchSize < 1) throw new IllegalArgumentException("The batch size must be ≥ 1, got " + batchSize + ".");
    if (data.featureSize() != network.architecture().inputSize()) {
      throw new IllegalArgumentException("The data has " + data.featureSize() + " features per sample but the model "
          + network.architecture().describe() + " expects " + network.architecture().inputSize() + ".");
    }
    this.network = network;
    this.data = data;
    this.samples = samples.clone();
    this.batchSize = batchSize;
    this.seed = seed;
    this.learningRate = learningRate;
    this.adam = new Adam(network.parameterCount(), learningRate);
    this.featureBuffer = new float[batchSize * data.featureSize()];
    this.labelBuffer = new int[batchSize];
    reshuffle();
  }

  public Network network() {
    return network;
  }

  public double learningRate() {
    return learningRate;
  }

  public Adam optimiser() {
    return adam;
  }

  /** Optimiser steps in one pass over the samples (the last batch may be short). */
  public int stepsPerEpoch() {
    return (samples.length + batchSize - 1) / batchSize;
  }

  public int sampleCount() {
    return samples.length;
  }

  /** Completed epochs. */
  public int epoch() {
    return epoch;
  }

  /** Position inside the current epoch's order. */
  public int cursor() {
    return cursor;
  }

  /** Moves to a checkpointed position: the epoch's order is recomputed from the seed. */
  public void seek(int epoch, int cursor) {
    this.epoch = epoch;
    reshuffle();
    this.cursor = cursor;
  }

  private void reshuffle() {
    order = samples.clone();
    SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + epoch);
    for (int i = order.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }

  /** Runs {@code steps} optimiser steps and returns the summed data loss (without the penalty). */
  public double trainSteps(int steps, GradientPenalty penalty) {
    java.util.Queue<float[][]> pool = SCRATCH.computeIfAbsent(network.parameterCount(), k -> new java.util.concurrent.ConcurrentLinkedQueue<>());
    float[][] pair = pool.poll();
    if (pair == null) pair = new float[][] {new float[network.parameterCount()], new float[network.parameterCount()]};
    try {
      return trainSteps(steps, penalty, pair[0], pair[1]);
    } finally {
      pool.offer(pair);
    }
  }

  private double trainSteps(int steps, GradientPenalty penalty, float[] theta, float[] gradient) {
    double loss = 0;
    for (int s = 0; s < steps; s++) {
      if (cursor >= order.length) {
        epoch++;
        cursor = 0;
        reshuffle();
      }
      int n = Math.min(batchSize, order.length - cursor);
      INDArray x = input(n);
      data.features(order, cursor, cursor + n, featureBuffer);
      data.labels(order, cursor, cursor + n, labelBuffer);
      cursor += n;
      x.data().asNioFloat().put(0, featureBuffer, 0, n * data.featureSize());
      loss += network.computeGradients(x, labelBuffer, n);
      // One bulk copy each way; penalty and optimiser then run as fused loops over plain arrays.
      java.nio.FloatBuffer p = network.params().data().asNioFloat();
      p.get(0, theta);
      network.gradients().data().asNioFloat().get(0, gradient);
      penalty.addTo(theta, gradient);
      adam.step(theta, gradient);
      p.put(0, theta);
    }
    return loss;
  }

  /** One full epoch from the current position to the end of the epoch; returns the mean data loss per sample. */
  public double trainEpoch(GradientPenalty penalty) {
    int remaining = (order.length - cursor + batchSize - 1) / batchSize;
    if (cursor >= order.length) remaining = stepsPerEpoch();
    double loss = trainSteps(remaining, penalty);
    return loss / samples.length;
  }

  private INDArray input(int n) {
    return inputs.computeIfAbsent(n, k -> Nd4j.create(DataType.FLOAT, k, data.featureSize()));
  }

  /** Accuracy and mean loss of {@code network} on the given samples of {@code set} (all when null). */
  public static Evaluation evaluate(Network network, Dataset set, int[] indices) {
    return evaluate(network, set, indices, null);
  }

  /**
   * Evaluates in batches of up to 500; writes each sample's predicted class into {@code predictions} (in the
   * order of {@code indices}) when it is not null.
   */
  public static Evaluation evaluate(Network network, Dataset set, int[] indices, int[] predictions) {
    int[] idx = indices;
    if (idx == null) {
      idx = new int[set.count()];
      for (int i = 0; i < idx.length; i++) idx[i] = i;
    }
    // Batches of 500, or fewer when there are fewer samples (a validation split of a small shard).
    int b = Math.max(1, Math.min(500, idx.length));
    int f = set.featureSize();
    float[] buf = new float[b * f];
    int[] labels = new int[b];
    int[] pred = new int[b];
    Evaluation e = new Evaluation();
    for (int from = 0; from < idx.length; from += b) {
      int n = Math.min(b, idx.length - from);
      set.features(idx, from, from + n, buf);
      set.labels(idx, from, from + n, labels);
      INDArray x = borrowInput(n, f);
      try {
        x.data().asNioFloat().put(0, buf, 0, n * f);
        network.evaluate(x, labels, n, e, pred);
      } finally {
        EVALUATION_INPUTS.get(List.of(n, f)).offer(x);
      }
      if (predictions != null) System.arraycopy(pred, 0, predictions, from, n);
    }
    return e;
  }

  /**
   * Evaluation inputs {@code [rows, features]}, reused across evaluations and networks: every peer of a simulation
   * evaluates its validation split every round and each neighbour's snapshot on it, and allocating (and zeroing) a
   * native input per evaluation was a large part of a small peer's round. An input holds nothing between uses
   * (it is overwritten first), so they are pooled by shape; the pool holds as many as evaluate at once.
   */
  private static final java.util.concurrent.ConcurrentHashMap<List<Integer>, java.util.concurrent.ConcurrentLinkedQueue<INDArray>> EVALUATION_INPUTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static INDArray borrowInput(int rows, int features) {
    INDArray x = EVALUATION_INPUTS.computeIfAbsent(List.of(rows, features), k -> new java.util.concurrent.ConcurrentLinkedQueue<>()).poll();
    return x != null ? x : Nd4j.create(DataType.FLOAT, rows, features);
  }
}
