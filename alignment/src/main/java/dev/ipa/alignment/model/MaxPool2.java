package dev.ipa.alignment.model;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * 2×2 max-pooling with stride 2 on NHWC activations; an odd last row or column is dropped (floor), as PyTorch's
 * {@code MaxPool2d(2)} does. No parameters. Like {@link Conv2d}, it loops over heap copies and moves them to and
 * from the native buffers in bulk.
 *
 * <p>Both loops are written without selects, so the JIT vectorises them over the channels: the forward pass keeps
 * only the maxima, and the backward pass finds each window's first pixel equal to its maximum (PyTorch's tie rule)
 * arithmetically. Selects on activations are coin flips: the earlier form, which kept an argmax per output, spent
 * three times as long in the forward pass.
 */
final class MaxPool2 implements Layer {
  private final int h;
  private final int w;
  private final int c;
  private int batch = -1;
  private INDArray out;
  private INDArray dx;
  private float[] in = new float[0];
  private float[] pooled = new float[0];
  private float[] grad = new float[0];
  private float[] inputGrad = new float[0];
  private final float[] taken; // per channel: 1 once a window's maximum has been routed

  MaxPool2(int h, int w, int c) {
    this.h = h;
    this.w = w;
    this.c = c;
    this.taken = new float[c];
  }

  @Override
  public int parameterCount() {
    return 0;
  }

  @Override
  public void bind(INDArray params, INDArray grads, int offset) {}

  @Override
  public List<ParamTensor> tensors(int offset) {
    return List.of();
  }

  @Override
  public int outputSize() {
    return (h / 2) * (w / 2) * c;
  }

  /** The arrays whose size follows the batch, kept per size (see {@link PerBatch}). */
  private record Scratch(INDArray out, INDArray dx, float[] in, float[] pooled, float[] grad, float[] inputGrad) {}

  private final PerBatch<Scratch> scratch = new PerBatch<>(this::scratch);

  private Scratch scratch(int b) {
    return new Scratch(Nd4j.createUninitialized(DataType.FLOAT, b, outputSize()), Nd4j.createUninitialized(DataType.FLOAT, b, (long) h * w * c),
        new float[b * h * w * c], new float[b * outputSize()], new float[b * outputSize()], new float[b * h * w * c]);
  }

  @Override
  public void initialise(SplittableRandom rng, float[] flat, int offset) {}

  @Override
  public INDArray forward(INDArray input, int b) {
    if (b != batch) {
      batch = b;
      Scratch s = scratch.get(b);
      out = s.out();
      dx = s.dx();
      in = s.in();
      pooled = s.pooled();
      grad = s.grad();
      inputGrad = s.inputGrad();
    }
    float[] x = in;
    Buffers.floats(input).get(0, x, 0, x.length);
    int oh = h / 2;
    int ow = w / 2;
    int i = 0;
    for (int n = 0; n < b; n++) {
      int base = n * h * w * c;
      for (int y = 0; y < oh; y++) {
        for (int xx = 0; xx < ow; xx++, i += c) {
          int p00 = base + ((2 * y) * w + 2 * xx) * c;
          int p01 = p00 + c;
          int p10 = p00 + w * c;
          int p11 = p10 + c;
          for (int ch = 0; ch < c; ch++) {
            pooled[i + ch] = Math.max(Math.max(x[p00 + ch], x[p01 + ch]), Math.max(x[p10 + ch], x[p11 + ch]));
          }
        }
      }
    }
    Buffers.floats(out).put(0, pooled, 0, pooled.length);
    return out;
  }

  /** 1 where {@code v} equals the window's maximum {@code max ≥ v}, else 0: any positive gap times MAX² is ≥ 1. */
  private static float isMax(float max, float v) {
    return 1f - Math.min((max - v) * Float.MAX_VALUE * Float.MAX_VALUE, 1f);
  }

  @Override
  public INDArray backward(INDArray gradOutput, int b, boolean needInputGradient) {
    Buffers.floats(gradOutput).get(0, grad, 0, grad.length);
    if (h % 2 != 0 || w % 2 != 0) java.util.Arrays.fill(inputGrad, 0f); // the dropped row or column; others are all written
    float[] x = in;
    int oh = h / 2;
    int ow = w / 2;
    int i = 0;
    for (int n = 0; n < b; n++) {
      int base = n * h * w * c;
      for (int y = 0; y < oh; y++) {
        for (int xx = 0; xx < ow; xx++, i += c) {
          int p00 = base + ((2 * y) * w + 2 * xx) * c;
          int p01 = p00 + c;
          int p10 = p00 + w * c;
          int p11 = p10 + c;
          // The gradient goes to the first of the four pixels (in reading order) that holds the maximum; one
          // loop per pixel, so each loop writes one run of channels and vectorises.
          for (int ch = 0; ch < c; ch++) {
            float m = isMax(pooled[i + ch], x[p00 + ch]);
            inputGrad[p00 + ch] = grad[i + ch] * m;
            taken[ch] = m;
          }
          for (int ch = 0; ch < c; ch++) {
            float m = isMax(pooled[i + ch], x[p01 + ch]) * (1f - taken[ch]);
            inputGrad[p01 + ch] = grad[i + ch] * m;
            taken[ch] += m;
          }
          for (int ch = 0; ch < c; ch++) {
            float m = isMax(pooled[i + ch], x[p10 + ch]) * (1f - taken[ch]);
            inputGrad[p10 + ch] = grad[i + ch] * m;
            taken[ch] += m;
          }
          for (int ch = 0; ch < c; ch++) inputGrad[p11 + ch] = grad[i + ch] * (1f - taken[ch]);
        }
      }
    }
    Buffers.floats(dx).put(0, inputGrad, 0, inputGrad.length);
    return dx;
  }
}
