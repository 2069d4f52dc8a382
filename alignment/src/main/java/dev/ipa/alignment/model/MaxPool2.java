package dev.ipa.alignment.model;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** 2×2 max-pooling with stride 2 on NHWC activations. No parameters. */
final class MaxPool2 implements Layer {
  private final int h;
  private final int w;
  private final int c;
  /** Forward scratch: the output and where each maximum came from; backward: dx. One per batch size. */
  private record Forward(INDArray out, int[] argmax) {}

  private final PerBatch<Forward> forwardScratch = new PerBatch<>(b -> new Forward(Nd4j.createUninitialized(DataType.FLOAT, b, outputSize()), new int[b * outputSize()]));
  private final PerBatch<INDArray> inputGradient = new PerBatch<>(b -> Nd4j.createUninitialized(DataType.FLOAT, b, inputSize()));
  private int[] argmax;

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

  private long inputSize() {
    return (long) h * w * c;
  }

  @Override
  public int outputSize() {
    return (h / 2) * (w / 2) * c;
  }

  @Override
  public void initialise(SplittableRandom rng, float[] flat, int offset) {}

  @Override
  public INDArray forward(INDArray input, int b) {
    Forward scratch = forwardScratch.get(b);
    INDArray out = scratch.out();
    argmax = scratch.argmax();
    FloatBuffer x = Buffers.floats(input);
    FloatBuffer o = Buffers.floats(out);
    int oh = h / 2;
    int ow = w / 2;
    int i = 0;
    for (int n = 0; n < b; n++) {
      int base = n * h * w * c;
      for (int y = 0; y < oh; y++) {
        for (int xx = 0; xx < ow; xx++) {
          for (int ch = 0; ch < c; ch++, i++) {
            int best = base + ((2 * y) * w + 2 * xx) * c + ch;
            float max = x.get(best);
            for (int dy = 0; dy < 2; dy++) {
              for (int dxx = 0; dxx < 2; dxx++) {
                int idx = base + ((2 * y + dy) * w + 2 * xx + dxx) * c + ch;
                float v = x.get(idx);
                if (v > max) {
                  max = v;
                  best = idx;
                }
              }
            }
            o.put(i, max);
            argmax[i] = best;
          }
        }
      }
    }
    return out;
  }

  @Override
  public INDArray backward(INDArray gradOutput, int b, boolean needInputGradient) {
    FloatBuffer g = Buffers.floats(gradOutput);
    INDArray dx = inputGradient.get(b);
    FloatBuffer d = Buffers.floats(dx);
    for (int i = 0, n = b * h * w * c; i < n; i++) d.put(i, 0f);
    for (int i = 0, n = b * outputSize(); i < n; i++) d.put(argmax[i], d.get(argmax[i]) + g.get(i));
    return dx;
  }
}
