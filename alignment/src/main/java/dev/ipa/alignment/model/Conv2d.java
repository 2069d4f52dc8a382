package dev.ipa.alignment.model;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A k×k convolution with "same" zero padding, stride 1 and a fused ReLU, on NHWC activations, computed as
 * im2col followed by one BLAS matrix product:
 *
 * <pre>
 *   cols [batch·H·W, k·k·C]  ×  W [k·k·C, F]  =  out [batch·H·W, F]  (= [batch, H·W·F] in NHWC)
 * </pre>
 */
final class Conv2d implements Layer {
  private final String name;
  private final int h;
  private final int w;
  private final int c;
  private final int f;
  private final int k;
  private final int pad;
  private final int patch;
  private final WeightTransform transform;

  private INDArray weights;
  private INDArray weightGrad;
  private INDArray effective;
  private INDArray effectiveGrad;
  private FloatBuffer params;
  private FloatBuffer grads;
  private int biasOffset;

  /** Forward scratch: the im2col matrix, the output and its [batch, H·W·F] view; backward: dcols and dx. */
  private record Forward(INDArray cols, INDArray out2d, INDArray out) {}

  private record Backward(INDArray dcols, INDArray dx) {}

  private final PerBatch<Forward> forwardScratch = new PerBatch<>(this::forwardScratch);
  private final PerBatch<Backward> backwardScratch = new PerBatch<>(this::backwardScratch);
  private INDArray cols;
  private INDArray out2d;

  Conv2d(String name, int h, int w, int c, int f, int k, WeightTransform transform) {
    this.name = name;
    this.h = h;
    this.w = w;
    this.c = c;
    this.f = f;
    this.k = k;
    this.pad = k / 2;
    this.patch = k * k * c;
    this.transform = transform;
  }

  @Override
  public int parameterCount() {
    return patch * f + f;
  }

  @Override
  public int outputSize() {
    return h * w * f;
  }

  @Override
  public List<ParamTensor> tensors(int offset) {
    return List.of(
        new ParamTensor(name + ".W", offset, new int[] {k, k, c, f}, true),
        new ParamTensor(name + ".b", offset + patch * f, new int[] {f}, false));
  }

  @Override
  public void bind(INDArray flatParams, INDArray flatGrads, int offset) {
    weights = flatParams.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + patch * f)).reshape('c', patch, f);
    weightGrad = flatGrads.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + patch * f)).reshape('c', patch, f);
    params = Buffers.floats(flatParams);
    grads = Buffers.floats(flatGrads);
    biasOffset = offset + patch * f;
    if (transform.isIdentity()) {
      effective = weights;
    } else {
      effective = Nd4j.create(DataType.FLOAT, patch, f);
      effectiveGrad = Nd4j.create(DataType.FLOAT, patch, f);
    }
  }

  @Override
  public void initialise(SplittableRandom rng, float[] flat, int offset) {
    double std = Math.sqrt(2.0 / patch);
    for (int i = 0; i < patch * f; i++) flat[offset + i] = (float) (Dense.gaussian(rng) * std);
    for (int i = 0; i < f; i++) flat[offset + patch * f + i] = 0f;
  }

  void refreshEffectiveWeights() {
    if (!transform.isIdentity()) transform.apply(weights, effective);
  }

  private Forward forwardScratch(int b) {
    INDArray o2d = Nd4j.createUninitialized(DataType.FLOAT, (long) b * h * w, f);
    return new Forward(Nd4j.createUninitialized(DataType.FLOAT, (long) b * h * w, patch), o2d, o2d.reshape('c', b, (long) h * w * f));
  }

  private Backward backwardScratch(int b) {
    return new Backward(Nd4j.createUninitialized(DataType.FLOAT, (long) b * h * w, patch), Nd4j.createUninitialized(DataType.FLOAT, b, (long) h * w * c));
  }

  @Override
  public INDArray forward(INDArray input, int b) {
    Forward scratch = forwardScratch.get(b);
    cols = scratch.cols();
    out2d = scratch.out2d();
    FloatBuffer x = Buffers.floats(input);
    FloatBuffer col = Buffers.floats(cols);
    int row = 0;
    for (int n = 0; n < b; n++) {
      int imageBase = n * h * w * c;
      for (int y = 0; y < h; y++) {
        for (int xx = 0; xx < w; xx++, row++) {
          int o = row * patch;
          for (int ky = 0; ky < k; ky++) {
            int sy = y + ky - pad;
            for (int kx = 0; kx < k; kx++) {
              int sx = xx + kx - pad;
              if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
                for (int ch = 0; ch < c; ch++) col.put(o++, 0f);
              } else {
                int s = imageBase + (sy * w + sx) * c;
                for (int ch = 0; ch < c; ch++) col.put(o++, x.get(s + ch));
              }
            }
          }
        }
      }
    }
    Nd4j.gemm(cols, effective, out2d, false, false, 1.0, 0.0);
    FloatBuffer v = Buffers.floats(out2d);
    for (int i = 0, n = b * h * w; i < n; i++) {
      for (int j = 0; j < f; j++) {
        int idx = i * f + j;
        float z = v.get(idx) + params.get(biasOffset + j);
        v.put(idx, z < 0f ? 0f : z);
      }
    }
    return scratch.out();
  }

  @Override
  public INDArray backward(INDArray gradOutput, int b, boolean needInputGradient) {
    FloatBuffer g = Buffers.floats(gradOutput);
    FloatBuffer y = Buffers.floats(out2d);
    int n = b * h * w * f;
    for (int i = 0; i < n; i++) if (y.get(i) <= 0f) g.put(i, 0f);
    INDArray g2d = gradOutput.reshape('c', (long) b * h * w, f);
    if (transform.isIdentity()) {
      Nd4j.gemm(cols, g2d, weightGrad, true, false, 1.0, 0.0);
    } else {
      Nd4j.gemm(cols, g2d, effectiveGrad, true, false, 1.0, 0.0);
      transform.backward(weights, effectiveGrad, weightGrad);
    }
    for (int j = 0; j < f; j++) grads.put(biasOffset + j, 0f);
    for (int i = 0, rows = b * h * w; i < rows; i++) {
      for (int j = 0; j < f; j++) grads.put(biasOffset + j, grads.get(biasOffset + j) + g.get(i * f + j));
    }
    if (!needInputGradient) return null;
    Backward scratch = backwardScratch.get(b);
    Nd4j.gemm(g2d, effective, scratch.dcols(), false, true, 1.0, 0.0);
    FloatBuffer dc = Buffers.floats(scratch.dcols());
    FloatBuffer d = Buffers.floats(scratch.dx());
    for (int i = 0, len = b * h * w * c; i < len; i++) d.put(i, 0f);
    int row = 0;
    for (int nn = 0; nn < b; nn++) {
      int imageBase = nn * h * w * c;
      for (int yy = 0; yy < h; yy++) {
        for (int xx = 0; xx < w; xx++, row++) {
          int o = row * patch;
          for (int ky = 0; ky < k; ky++) {
            int sy = yy + ky - pad;
            for (int kx = 0; kx < k; kx++) {
              int sx = xx + kx - pad;
              if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
                o += c;
              } else {
                int s = imageBase + (sy * w + sx) * c;
                for (int ch = 0; ch < c; ch++, o++) d.put(s + ch, d.get(s + ch) + dc.get(o));
              }
            }
          }
        }
      }
    }
    return scratch.dx();
  }
}
