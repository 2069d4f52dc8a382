package dev.ipa.alignment.model;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A feed-forward classifier whose parameters live in one flat vector, so an extra penalty's gradient (the IPA
 * alignment term) can be added in one fused pass over {@link #gradients()} before the optimiser step, and so a
 * snapshot is a single array copy.
 *
 * <p>Loss is softmax cross-entropy <em>summed</em> over the batch, as in the IPA paper (so the alignment term's
 * weight λ is relative to a batch sum, not a mean).
 *
 * <p>Lifecycle: {@link #create} → any number of {@link #computeGradients} / {@link #evaluate}. Not thread-safe:
 * each peer owns its network, and all calls come from that peer's thread.
 */
public final class Network {
  private final Architecture architecture;
  private final List<Layer> layers;
  private final List<ParamTensor> tensors;
  private final INDArray params;
  private final INDArray grads;
  private final int parameterCount;
  private final Buffers logitGrad;
  private float[] classWeights;

  private Network(Architecture architecture, List<Layer> layers) {
    this.architecture = architecture;
    this.layers = List.copyOf(layers);
    int total = 0;
    List<ParamTensor> all = new ArrayList<>();
    for (Layer l : layers) {
      all.addAll(l.tensors(total));
      total += l.parameterCount();
    }
    this.tensors = List.copyOf(all);
    this.parameterCount = total;
    this.params = Nd4j.create(DataType.FLOAT, 1, total);
    this.grads = Nd4j.create(DataType.FLOAT, 1, total);
    int offset = 0;
    for (Layer l : layers) {
      l.bind(params, grads, offset);
      offset += l.parameterCount();
    }
    this.logitGrad = new Buffers(architecture.classes());
  }

  /** Builds a float network and initialises it (Kaiming-normal weights, zero biases) from {@code seed}. */
  public static Network create(Architecture architecture, long seed) {
    return create(architecture, seed, layerIndex -> WeightTransform.IDENTITY);
  }

  /**
   * Builds a network whose i-th weight layer (0-based, in forward order) uses {@code transforms.apply(i)} and
   * initialises it from {@code seed}. The same seed always gives the same weights.
   */
  public static Network create(Architecture architecture, long seed, Function<Integer, WeightTransform> transforms) {
    List<Layer> layers = new ArrayList<>();
    if (!architecture.convolutional()) { // mlp, and linear: an mlp without hidden layers
      int in = architecture.inputSize();
      int i = 0;
      for (int h : architecture.hidden()) {
        layers.add(new Dense("dense" + (i + 1), in, h, true, transforms.apply(i)));
        in = h;
        i++;
      }
      layers.add(new Dense("dense" + (i + 1), in, architecture.classes(), false, transforms.apply(i)));
    } else {
      int c = architecture.channels();
      int h = architecture.rows();
      int w = architecture.cols();
      int f1 = architecture.hidden().get(0);
      int f2 = architecture.hidden().get(1);
      layers.add(new Conv2d("conv1", h, w, c, f1, 5, transforms.apply(0)));
      layers.add(new MaxPool2(h, w, f1));
      layers.add(new Conv2d("conv2", h / 2, w / 2, f1, f2, 5, transforms.apply(1)));
      layers.add(new MaxPool2(h / 2, w / 2, f2));
      layers.add(new Dense("dense1", (h / 2 / 2) * (w / 2 / 2) * f2, architecture.hidden().get(2), true, transforms.apply(2)));
      layers.add(new Dense("dense2", architecture.hidden().get(2), architecture.classes(), false, transforms.apply(3)));
    }
    Network net = new Network(architecture, layers);
    float[] init = new float[net.parameterCount];
    SplittableRandom rng = new SplittableRandom(seed);
    int offset = 0;
    for (Layer l : layers) {
      l.initialise(rng, init, offset);
      offset += l.parameterCount();
    }
    net.params.data().asNioFloat().put(0, init);
    return net;
  }

  public Architecture architecture() {
    return architecture;
  }

  /** Named tensors in the flat vector, in order; together they cover it exactly. */
  public List<ParamTensor> tensors() {
    return tensors;
  }

  public int parameterCount() {
    return parameterCount;
  }

  /** The flat parameter vector {@code [1, P]}; layer weights are views into it. Write to it to load weights. */
  public INDArray params() {
    return params;
  }

  /** The flat gradient vector {@code [1, P]} written by {@link #computeGradients}. */
  public INDArray gradients() {
    return grads;
  }

  /** Copies the parameters out. */
  public float[] copyParams() {
    float[] out = new float[parameterCount];
    params.data().asNioFloat().get(0, out);
    return out;
  }

  /** Overwrites the parameters with {@code values}, which must have {@link #parameterCount()} entries. */
  public void setParams(float[] values) {
    if (values.length != parameterCount) {
      throw new IllegalArgumentException("Expected " + parameterCount + " parameters for " + architecture.describe() + ", got " + values.length + ".");
    }
    params.data().asNioFloat().put(0, values);
  }

  /** Work done with other parameters in this network ({@link #withParams}). */
  @FunctionalInterface
  public interface WithParams<T, E extends Exception> {
    T run() throws E;
  }

  /**
   * Runs {@code work} with {@code values} as the parameters, then puts the current ones back bit for bit, also
   * when {@code work} throws: to evaluate or pack another model (a neighbour's snapshot, the consensus) in this
   * network without disturbing it.
   */
  public <T, E extends Exception> T withParams(float[] values, WithParams<T, E> work) throws E {
    float[] theta = copyParams();
    setParams(values);
    try {
      return work.run();
    } finally {
      setParams(theta);
    }
  }

  /**
   * Weights the training loss per class: row r counts {@code weights[label_r]} times (null: unweighted, the
   * default). Evaluation is never weighted.
   */
  public void setClassWeights(float[] weights) {
    if (weights != null) {
      if (weights.length != architecture.classes()) {
        throw new IllegalArgumentException("Expected " + architecture.classes() + " class weights, got " + weights.length + ".");
      }
      for (float w : weights) {
        if (!(w >= 0) || Float.isInfinite(w)) throw new IllegalArgumentException("Class weights must be finite and ≥ 0, got " + java.util.Arrays.toString(weights) + ".");
      }
    }
    this.classWeights = weights == null ? null : weights.clone();
  }

  /** The class weights of the training loss, or null when unweighted. */
  public float[] classWeights() {
    return classWeights == null ? null : classWeights.clone();
  }

  /** Weight layers in forward order, with the transform each uses. */
  List<Layer> layers() {
    return layers;
  }

  private INDArray forward(INDArray x, int batch) {
    INDArray a = x;
    for (Layer l : layers) {
      if (l instanceof Dense d) d.refreshEffectiveWeights();
      if (l instanceof Conv2d c) c.refreshEffectiveWeights();
      a = l.forward(a, batch);
    }
    return a;
  }

  /**
   * Forward and backward pass on one batch: overwrites {@link #gradients()} with d(CE_sum)/dθ and returns
   * CE_sum (each row weighted by its class's weight when {@link #setClassWeights} set some).
   *
   * @param x      features {@code [batch, inputSize]}
   * @param labels class of each row
   * @param batch  rows in use
   */
  public double computeGradients(INDArray x, int[] labels, int batch) {
    INDArray logits = forward(x, batch);
    INDArray dLogits = logitGrad.get(batch);
    double loss = SoftmaxCrossEntropy.lossAndGradient(Buffers.floats(logits), labels, batch, architecture.classes(), classWeights, logitGrad.view());
    INDArray g = dLogits;
    for (int i = layers.size() - 1; i >= 0; i--) {
      g = layers.get(i).backward(g, batch, i > 0);
    }
    return loss;
  }

  /**
   * Forward pass only: the platform's own prediction, which exported models are checked against. Writes each of
   * the first {@code batch} rows' predicted class into {@code labels[r]} (the first class with the largest logit,
   * as in {@link #evaluate}) and its class probabilities (the softmax of its logits, computed in double from the
   * largest logit) into {@code probabilities[r * classes + c]}.
   */
  public void predict(INDArray x, int batch, int[] labels, float[] probabilities) {
    int k = architecture.classes();
    if (labels.length < batch || probabilities.length < batch * k) {
      throw new IllegalArgumentException(batch + " rows of " + k + " classes need " + batch + " labels and " + batch * k
          + " probabilities, but the buffers hold " + labels.length + " and " + probabilities.length + ".");
    }
    FloatBuffer l = Buffers.floats(forward(x, batch));
    for (int r = 0; r < batch; r++) {
      int best = 0;
      float max = l.get(r * k);
      for (int c = 1; c < k; c++) {
        if (l.get(r * k + c) > max) {
          max = l.get(r * k + c);
          best = c;
        }
      }
      double sum = 0;
      for (int c = 0; c < k; c++) sum += Math.exp(l.get(r * k + c) - max);
      for (int c = 0; c < k; c++) probabilities[r * k + c] = (float) (Math.exp(l.get(r * k + c) - max) / sum);
      labels[r] = best;
    }
  }

  /**
   * Forward pass only; adds the batch's summed loss, correct count and confusion (with two classes, class 1's
   * probabilities) to {@code into}, and writes each row's
   * predicted class into {@code predictions} when it is not null.
   */
  public void evaluate(INDArray x, int[] labels, int batch, Evaluation into, int[] predictions) {
    INDArray logits = forward(x, batch);
    FloatBuffer l = Buffers.floats(logits);
    int k = architecture.classes();
    double loss = 0;
    int correct = 0;
    for (int r = 0; r < batch; r++) {
      int best = 0;
      float max = l.get(r * k);
      for (int c = 1; c < k; c++) {
        float v = l.get(r * k + c);
        if (v > max) {
          max = v;
          best = c;
        }
      }
      double sum = 0;
      for (int c = 0; c < k; c++) sum += Math.exp(l.get(r * k + c) - max);
      loss += Math.log(sum) - (l.get(r * k + labels[r]) - max);
      if (best == labels[r]) correct++;
      into.record(k, labels[r], best, k == 2 ? (float) (Math.exp(l.get(r * k + 1) - max) / sum) : Float.NaN);
      if (predictions != null) predictions[r] = best;
    }
    into.add(batch, correct, loss);
  }
}
