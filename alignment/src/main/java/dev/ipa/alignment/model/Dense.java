package dev.ipa.alignment.model;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A fully connected layer {@code y = act(x·W + b)} with W of shape {@code [in, out]} and an optional fused ReLU.
 *
 * <p>The matrix products go to ND4J (BLAS); bias, ReLU and its mask run as single Java passes over direct
 * buffers, which on batch-50 activations is cheaper than extra native calls. The weights the forward pass uses
 * come from a {@link WeightTransform} (identity for float layers; sign/tile for compressed layers, with a
 * straight-through gradient).
 */
final class Dense implements Layer {
  private final String name;
  private final int in;
  private final int out;
  private final boolean relu;
  private final WeightTransform transform;

  private INDArray weights; // view [in, out] of the latent parameters
  private INDArray weightGrad; // view [in, out] of the gradient vector
  private FloatBuffer params;
  private FloatBuffer grads;
  private int biasOffset;

  private INDArray effective; // weights used by forward; == weights for float layers
  private final Buffers output;
  private final Buffers inputGrad;
  private INDArray lastInput;
  private INDArray effectiveGrad; // gradient w.r.t. effective weights, for non-identity transforms
  private float[] activation = new float[0]; // heap copy of the last output, for the ReLU mask
  private float[] scratch = new float[0];
  private final float[] bias;

  Dense(String name, int in, int out, boolean relu, WeightTransform transform) {
    this.name = name;
    this.in = in;
    this.out = out;
    this.relu = relu;
    this.transform = transform;
    this.output = new Buffers(out);
    this.inputGrad = new Buffers(in);
    this.bias = new float[out];
  }

  @Override
  public int parameterCount() {
    return in * out + out;
  }

  @Override
  public int outputSize() {
    return out;
  }

  @Override
  public List<ParamTensor> tensors(int offset) {
    return List.of(
        new ParamTensor(name + ".W", offset, new int[] {in, out}, true),
        new ParamTensor(name + ".b", offset + in * out, new int[] {out}, false));
  }

  @Override
  public void bind(INDArray flatParams, INDArray flatGrads, int offset) {
    weights = flatParams.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + in * out)).reshape('c', in, out);
    weightGrad = flatGrads.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + in * out)).reshape('c', in, out);
    params = Buffers.floats(flatParams);
    grads = Buffers.floats(flatGrads);
    biasOffset = offset + in * out;
    if (transform.isIdentity()) {
      effective = weights;
    } else {
      effective = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, in, out);
      effectiveGrad = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, in, out);
    }
  }

  @Override
  public void initialise(SplittableRandom rng, float[] flat, int offset) {
    // Kaiming-normal (He et al. 2015) for ReLU nets: N(0, 2 / fan_in).
    double std = Math.sqrt(2.0 / in);
    for (int i = 0; i < in * out; i++) flat[offset + i] = (float) (gaussian(rng) * std);
    for (int i = 0; i < out; i++) flat[offset + in * out + i] = 0f;
  }

  static double gaussian(SplittableRandom rng) {
    // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
    double u1 = 1.0 - rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Recomputes the effective weights from the latent ones; call once per step before forward. */
  void refreshEffectiveWeights() {
    if (!transform.isIdentity()) transform.apply(weights, effective);
  }

  INDArray effectiveWeights() {
    return effective;
  }

  WeightTransform transform() {
    return transform;
  }

  INDArray latentWeights() {
    return weights;
  }

  @Override
  public INDArray forward(INDArray input, int batch) {
    lastInput = input;
    INDArray y = output.get(batch);
    Nd4j.gemm(input, effective, y, false, false, 1.0, 0.0);
    // Bias and ReLU in one pass over a heap copy: bulk copies are memcpy, per-element direct-buffer access is not.
    int n = batch * out;
    if (activation.length < n) activation = new float[n];
    float[] a = activation;
    FloatBuffer v = output.view();
    v.get(0, a, 0, n);
    params.get(biasOffset, bias, 0, out);
    for (int r = 0, i = 0; r < batch; r++) {
      for (int c = 0; c < out; c++, i++) {
        float z = a[i] + bias[c];
        a[i] = relu && z < 0f ? 0f : z;
      }
    }
    v.put(0, a, 0, n);
    return y;
  }

  @Override
  public INDArray backward(INDArray gradOutput, int batch, boolean needInputGradient) {
    FloatBuffer g = Buffers.floats(gradOutput);
    int n = batch * out;
    if (scratch.length < n) scratch = new float[n];
    float[] gh = scratch;
    g.get(0, gh, 0, n);
    if (relu) {
      // ReLU mask from the stored output: y > 0 exactly where the pre-activation was positive.
      float[] a = activation;
      for (int i = 0; i < n; i++) if (a[i] <= 0f) gh[i] = 0f;
      g.put(0, gh, 0, n);
    }
    if (transform.isIdentity()) {
      Nd4j.gemm(lastInput, gradOutput, weightGrad, true, false, 1.0, 0.0);
    } else {
      Nd4j.gemm(lastInput, gradOutput, effectiveGrad, true, false, 1.0, 0.0);
      transform.backward(weights, effectiveGrad, weightGrad);
    }
    java.util.Arrays.fill(bias, 0f);
    for (int r = 0, i = 0; r < batch; r++) {
      for (int c = 0; c < out; c++, i++) bias[c] += gh[i];
    }
    grads.put(biasOffset, bias, 0, out);
    if (!needInputGradient) return null;
    INDArray dx = inputGrad.get(batch);
    Nd4j.gemm(gradOutput, effective, dx, false, true, 1.0, 0.0);
    return dx;
  }
}
