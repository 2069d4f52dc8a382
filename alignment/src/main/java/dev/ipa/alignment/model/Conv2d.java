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
 * im2col followed by BLAS matrix products, a few images at a time:
 *
 * <pre>
 *   forward    cols [n·H·W, k·k·C]  ×  W [k·k·C, F]  =  out [n·H·W, F]   (= [n, H·W·F] in NHWC)
 *   backward   dW  += cols<sup>T</sup> × dOut          (im2col recomputed per chunk, not kept)
 *              dcols = dOut × W<sup>T</sup>, then col2im into dX
 * </pre>
 *
 * <p>n is a chunk of images whose columns fill about 2 MB, so each chunk's columns are still in cache when the
 * product reads them (measured: the products run 1.3–1.8× faster than over a whole batch's columns, which at
 * batch 256 are 80 MB), and the layer's memory does not grow with the batch beyond its activations. The loops
 * around the products (im2col, bias and ReLU, the ReLU mask, col2im) run over heap arrays and move to and from
 * the native buffers in bulk copies: a bulk copy is a memcpy, while each element read or written through a direct
 * buffer costs a bounds check. The element-wise loops run one image's outputs at a time and have no selects, so
 * they vectorise. A one-channel layer keeps its columns transposed ({@link #shift}). ND4J's own {@code conv2d}/{@code conv2d_bp} ops (this nd4j-native build has no
 * oneDNN) were measured 4× slower forward and 10× slower backward on this layer, so they are not used.
 */
final class Conv2d implements Layer {
  /** Column values per chunk of images: 2 MB of floats, so a chunk's columns stay in a core's cache. */
  private static final int CHUNK_FLOATS = 1 << 19;

  private final String name;
  private final int h;
  private final int w;
  private final int c;
  private final int f;
  private final int k;
  private final int pad;
  private final int patch;
  private final int imageSize; // h·w·c input values per image
  private final int imageCols; // h·w·patch column values per image
  private final WeightTransform transform;

  private INDArray weights;
  private INDArray weightGrad;
  private INDArray effective;
  private INDArray effectiveGrad;
  private FloatBuffer params;
  private FloatBuffer grads;
  private int biasOffset;
  private final float[] bias;
  private final float[] biasRow; // the bias repeated at every pixel of one image's output (H·W·F)
  private final float[] biasGradRow; // per-position bias gradients, summed into the F bias gradients per batch

  private int batch = -1;
  private final int chunk; // images per chunk
  private INDArray lastInput;
  private INDArray cols; // [chunk·H·W, patch]
  private INDArray out2d;
  private INDArray out;
  private INDArray dcols; // [chunk·H·W, patch]
  private INDArray dx;
  private final float[] image; // one image of the input (forward) or of its gradient (backward)
  private final float[] columns; // one image's columns; its padding entries are zero and never written
  private final float[] columnGrad; // one image's column gradients (dense: padding entries too)
  // One channel: the columns are kept transposed, [k·k, n·H·W], where each row is the image shifted by one kernel
  // offset, so im2col copies whole image rows (W floats) instead of runs of k; the products take the transpose.
  private final boolean transposed;
  private float[] shifted = new float[0]; // heap copy of a chunk's transposed columns (or their gradients)
  private final java.util.Map<Integer, INDArray[]> transposedViews = new java.util.HashMap<>();
  private float[] activation = new float[0]; // heap copy of the last output, for the ReLU mask
  private float[] gradient = new float[0]; // heap copy of the output gradient; sized by the largest training batch

  Conv2d(String name, int h, int w, int c, int f, int k, WeightTransform transform) {
    this.name = name;
    this.h = h;
    this.w = w;
    this.c = c;
    this.f = f;
    this.k = k;
    this.pad = k / 2;
    this.patch = k * k * c;
    this.imageSize = h * w * c;
    this.imageCols = h * w * patch;
    this.transform = transform;
    this.bias = new float[f];
    this.biasRow = new float[h * w * f];
    this.biasGradRow = new float[h * w * f];
    this.image = new float[imageSize];
    this.columns = new float[imageCols];
    this.columnGrad = new float[imageCols];
    this.chunk = Math.max(1, CHUNK_FLOATS / imageCols);
    this.transposed = c == 1;
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

  /**
   * The arrays whose size follows the batch: the output (and its [batch, H·W·F] view), dx, and the output's heap
   * copy. The output gradient's heap copy is not among them: only training batches need it, and evaluation batches
   * (500 rows) would otherwise keep one of 50 MB per peer and size for nothing.
   */
  private record Scratch(INDArray out2d, INDArray out, INDArray dx, float[] activation) {}

  private final PerBatch<Scratch> scratch = new PerBatch<>(this::scratch);

  private Scratch scratch(int b) {
    INDArray o2d = Nd4j.createUninitialized(DataType.FLOAT, (long) b * h * w, f);
    return new Scratch(o2d, o2d.reshape('c', b, (long) h * w * f), Nd4j.createUninitialized(DataType.FLOAT, b, imageSize),
        new float[b * h * w * f]);
  }

  private void allocate(int b) {
    if (b == batch) return;
    batch = b;
    Scratch s = scratch.get(b);
    out2d = s.out2d();
    out = s.out();
    dx = s.dx();
    activation = s.activation();
    if (cols == null) {
      cols = Nd4j.createUninitialized(DataType.FLOAT, (long) chunk * h * w, patch);
      dcols = Nd4j.createUninitialized(DataType.FLOAT, (long) chunk * h * w, patch);
      if (transposed) shifted = new float[chunk * imageCols];
    }
  }

  /** Rows [first·H·W, (first+n)·H·W) of a [rows, cols] array: the chunk of images first..first+n-1. */
  private INDArray rows(INDArray a, int first, int n) {
    return a.get(NDArrayIndex.interval((long) first * h * w, (long) (first + n) * h * w), NDArrayIndex.all());
  }

  /** The first n images' worth of rows of a chunk buffer. */
  private INDArray head(INDArray a, int n) {
    return n == chunk ? a : a.get(NDArrayIndex.interval(0, (long) n * h * w), NDArrayIndex.all());
  }

  /**
   * The chunk buffers seen as n images' transposed columns, [k·k, n·H·W]: the first k·k·n·H·W floats of each,
   * contiguous (views, no copies; one pair per chunk size).
   */
  private INDArray[] transposedHead(int n) {
    return transposedViews.computeIfAbsent(n, m -> {
      long len = (long) patch * m * h * w;
      return new INDArray[] {
        cols.reshape(cols.length()).get(NDArrayIndex.interval(0, len)).reshape('c', patch, (long) m * h * w),
        dcols.reshape(dcols.length()).get(NDArrayIndex.interval(0, len)).reshape('c', patch, (long) m * h * w)};
    });
  }

  /** The columns of images first..first+n-1 of {@code x} in the chunk buffer, the forward product's left side. */
  private INDArray columns(FloatBuffer x, int first, int n) {
    FloatBuffer col = Buffers.floats(cols);
    if (transposed) {
      int hw = h * w;
      int stride = n * hw; // one kernel offset's row
      for (int i = 0; i < n; i++) {
        x.get((first + i) * imageSize, image, 0, imageSize);
        shift(image, shifted, i * hw, stride, true);
      }
      col.put(0, shifted, 0, patch * stride);
      return transposedHead(n)[0];
    }
    for (int i = 0; i < n; i++) {
      x.get((first + i) * imageSize, image, 0, imageSize);
      im2col(image, columns);
      col.put(i * imageCols, columns, 0, imageCols);
    }
    return head(cols, n);
  }

  /**
   * One grey image against its k·k shifted copies in the transposed layout: row r = (ky, kx) of {@code rowsOut},
   * from {@code at}, holds pixel (y + ky − pad, x + kx − pad) at (y, x), or zero off the image. Copies the pixels
   * out ({@code toRows}) or adds the rows' gradients back onto the pixels.
   */
  private void shift(float[] pixels, float[] rowsOut, int at, int stride, boolean toRows) {
    for (int ky = 0, r = 0; ky < k; ky++) {
      for (int kx = 0; kx < k; kx++, r++) {
        int x0 = Math.max(0, pad - kx);
        int x1 = Math.min(w, w + pad - kx);
        for (int y = 0; y < h; y++) {
          int q = r * stride + at + y * w;
          int sy = y + ky - pad;
          if (sy < 0 || sy >= h) {
            if (toRows) java.util.Arrays.fill(rowsOut, q, q + w, 0f);
            continue;
          }
          int p = sy * w + x0 + kx - pad;
          if (toRows) {
            java.util.Arrays.fill(rowsOut, q, q + x0, 0f);
            System.arraycopy(pixels, p, rowsOut, q + x0, x1 - x0);
            java.util.Arrays.fill(rowsOut, q + x1, q + w, 0f);
          } else {
            for (int i = 0; i < x1 - x0; i++) pixels[p + i] += rowsOut[q + x0 + i];
          }
        }
      }
    }
  }

  @Override
  public INDArray forward(INDArray input, int b) {
    allocate(b);
    lastInput = input;
    FloatBuffer x = Buffers.floats(input);
    FloatBuffer v = Buffers.floats(out2d);
    float[] a = activation;
    params.get(biasOffset, bias, 0, f);
    for (int p = 0; p < biasRow.length; p += f) System.arraycopy(bias, 0, biasRow, p, f);
    for (int first = 0; first < b; first += chunk) {
      int n = Math.min(chunk, b - first);
      INDArray left = columns(x, first, n);
      Nd4j.gemm(left, effective, rows(out2d, first, n), transposed, false, 1.0, 0.0);
      int hwf = h * w * f;
      int from = first * hwf;
      v.get(from, a, from, n * hwf);
      // One long loop per image (not F-long loops per pixel), so the JIT vectorises it.
      for (int base = from; base < from + n * hwf; base += hwf) {
        for (int p = 0; p < hwf; p++) a[base + p] = Math.max(a[base + p] + biasRow[p], 0f);
      }
      v.put(from, a, from, n * hwf);
    }
    return out;
  }

  /** One image's patches, row (y, x) after row, each in (ky, kx, channel) order; padding entries are left alone. */
  private void im2col(float[] src, float[] dst) {
    patches(src, dst, true);
  }

  /** Adds one image's column gradients back onto its pixels, in the order im2col read them. */
  private void col2im(float[] src, float[] dst) {
    java.util.Arrays.fill(dst, 0f);
    patches(dst, src, false);
  }

  /** Walks each in-image run of a patch row: copies pixels to columns, or adds columns onto pixels. */
  private void patches(float[] pixels, float[] cols, boolean toColumns) {
    int run = k * c;
    for (int y = 0, o = 0; y < h; y++) {
      for (int xx = 0; xx < w; xx++) {
        int kx0 = Math.max(0, pad - xx);
        int kx1 = Math.min(k, w + pad - xx);
        int len = (kx1 - kx0) * c;
        for (int ky = 0; ky < k; ky++, o += run) {
          int sy = y + ky - pad;
          if (sy < 0 || sy >= h) continue;
          int p = (sy * w + xx + kx0 - pad) * c;
          int q = o + kx0 * c;
          if (toColumns) {
            System.arraycopy(pixels, p, cols, q, len);
          } else {
            for (int i = 0; i < len; i++) pixels[p + i] += cols[q + i];
          }
        }
      }
    }
  }

  @Override
  public INDArray backward(INDArray gradOutput, int b, boolean needInputGradient) {
    FloatBuffer g = Buffers.floats(gradOutput);
    int m = b * h * w * f;
    if (gradient.length < m) gradient = new float[m];
    float[] gh = gradient;
    float[] a = activation;
    g.get(0, gh, 0, m);
    int hwf = h * w * f;
    java.util.Arrays.fill(biasGradRow, 0f);
    for (int base = 0; base < m; base += hwf) {
      for (int p = 0; p < hwf; p++) {
        // ReLU mask from the stored output y ≥ 0: 1 exactly where y > 0 (any positive float times MAX² is ≥ 1),
        // 0 where y = 0. Arithmetic rather than a select, so the loop vectorises.
        float gv = gh[base + p] * Math.min(a[base + p] * Float.MAX_VALUE * Float.MAX_VALUE, 1f);
        gh[base + p] = gv;
        biasGradRow[p] += gv;
      }
    }
    java.util.Arrays.fill(bias, 0f);
    for (int p = 0; p < hwf; p += f) {
      for (int j = 0; j < f; j++) bias[j] += biasGradRow[p + j];
    }
    g.put(0, gh, 0, m);
    grads.put(biasOffset, bias, 0, f);
    INDArray g2d = gradOutput.reshape('c', (long) b * h * w, f);
    INDArray dW = transform.isIdentity() ? weightGrad : effectiveGrad;
    FloatBuffer x = Buffers.floats(lastInput);
    FloatBuffer dc = Buffers.floats(dcols);
    FloatBuffer d = Buffers.floats(dx);
    for (int first = 0; first < b; first += chunk) {
      int n = Math.min(chunk, b - first);
      INDArray gChunk = rows(g2d, first, n);
      INDArray left = columns(x, first, n);
      Nd4j.gemm(left, gChunk, dW, !transposed, false, 1.0, first == 0 ? 0.0 : 1.0);
      if (!needInputGradient) continue;
      if (transposed) {
        int hw = h * w;
        INDArray dT = transposedHead(n)[1];
        Nd4j.gemm(effective, gChunk, dT, false, true, 1.0, 0.0);
        dc.get(0, shifted, 0, patch * n * hw);
        for (int i = 0; i < n; i++) {
          java.util.Arrays.fill(image, 0f);
          shift(image, shifted, i * hw, n * hw, false);
          d.put((first + i) * imageSize, image, 0, imageSize);
        }
        continue;
      }
      Nd4j.gemm(gChunk, effective, head(dcols, n), false, true, 1.0, 0.0);
      for (int i = 0; i < n; i++) {
        dc.get(i * imageCols, columnGrad, 0, imageCols);
        col2im(columnGrad, image);
        d.put((first + i) * imageSize, image, 0, imageSize);
      }
    }
    if (!transform.isIdentity()) transform.backward(weights, effectiveGrad, weightGrad);
    return needInputGradient ? dx : null;
  }
}
