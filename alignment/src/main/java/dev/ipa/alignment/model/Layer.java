package dev.ipa.alignment.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One differentiable layer of a {@link Network}. Activations are 2-D {@code [batch, features]} arrays; image
 * layers read their features as NHWC.
 *
 * <p>Call order per batch: {@link #forward} on every layer in order, then (when training) {@link #backward} in
 * reverse. Buffers are owned by the layer and reused across calls of the same batch size, so the returned
 * arrays are only valid until the next call. Not thread-safe: one network per thread.
 */
interface Layer {

  /** Number of parameters this layer owns. */
  int parameterCount();

  /** Receives the flat parameter and gradient vectors and the offset of this layer's slice. Called once. */
  void bind(INDArray params, INDArray grads, int offset);

  /** The tensors this layer owns, with absolute offsets, in order. */
  java.util.List<ParamTensor> tensors(int offset);

  /** Output features per sample. */
  int outputSize();

  /** Fills weights from {@code rng}; biases start at zero. */
  void initialise(java.util.SplittableRandom rng, float[] flat, int offset);

  /** Computes this layer's output for {@code input} ({@code [batch, inputSize]}). */
  INDArray forward(INDArray input, int batch);

  /**
   * Writes this layer's parameter gradients (overwriting) and returns the gradient with respect to its input, or
   * null when {@code needInputGradient} is false.
   */
  INDArray backward(INDArray gradOutput, int batch, boolean needInputGradient);
}
