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
 */
final class MaxPool2 implements Layer {
  private final int h;
  private final int w;
  private final int c;
  private int batch = -1;
  private INDArray out;
  private INDArray dx;
  private int[] argmax;
  private float[] in = new float[0];
  private float[] pooled = new float[0];
  private float[] grad = new float[0];
  private float[] inputGrad = new float[0];

  MaxPool2(int h, int w, int c) {
    this.h = h;
    this.w = w;
    this.c = c;
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
  private record Scratch(INDArray out, INDArray dx, int[] argmax, float[] in, float[] pooled, float[] grad, float[] inputGrad) {}

  private final PerBatch<Scratch> scratch = new PerBatch<>(this::scratch);

  private Scratch scratch(int b) {
    return new Scratch(Nd4j.createUninitialized(DataType.FLOAT, b, outputSize()), Nd4j.createUninitialized(DataType.FLOAT, b, (long) h * w * c),
        new int[b * outputSize()], new float[b * h * w * c], new float[b * outputSize()], new float[b * outputSize()], new float[b * h * w * c]);
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
      argmax = s.argmax();
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
        for (int xx = 0; xx < ow; xx++) {
          // The four pixels' channel vectors; the first strictly greater value wins, as ties keep the earlier one.
          // Written as selects, not branches: on activations the comparisons are coin flips a branch would miss.
          int p00 = base + ((2 * y) * w + 2 * xx) * c;
          int p01 = p00 + c;
          int p10 = p00 + w * c;
          int p11 = p10 + c;
          for (int ch = 0; ch < c; ch++, i++) {
            float max = x[p00 + ch];
            int best = p00 + ch;
            float v = x[p01 + ch];
            best = v > max ? p01 + ch : best;
            max = v > max ? v : max;
            v = x[p10 + ch];
            best = v > max ? p10 + ch : best;
            max = v > max ? v : max;
            v = x[p11 + ch];
            best = v > max ? p11 + ch : best;
            max = v > max ? v : max;
            pooled[i] = max;
            argmax[i] = best;
          }
        }
      }
    }
    Buffers.floats(out).put(0, pooled, 0, pooled.length);
    return out;
  }

  @Override
  public INDArray backward(INDArray gradOutput, int b, boolean needInputGradient) {
    Buffers.floats(gradOutput).get(0, grad, 0, grad.length);
    java.util.Arrays.fill(inputGrad, 0f);
    for (int i = 0; i < grad.length; i++) inputGrad[argmax[i]] += grad[i];
    Buffers.floats(dx).put(0, inputGrad, 0, inputGrad.length);
    return dx;
  }
}
