package dev.ipa.alignment.quant;

import dev.ipa.alignment.model.WeightTransform;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@link WeightTransform} of a binary or tiled layer: the forward pass uses the {@link SignTiles} expansion
 * of the latent weights, the backward pass the straight-through gradient. The flat parameter vector keeps the
 * latent real values, so IPA aligns those.
 *
 * <p>One instance per layer: it keeps the last {@link #apply}'s sums and scales, which {@link #backward} uses
 * (the network always calls apply in the forward pass of the same step). Not thread-safe.
 */
final class SignTileTransform implements WeightTransform {
  private final WeightKind kind;
  private final int tiles;
  private final boolean perUnit;
  private final double clip;
  private float[] cOrder = new float[0]; // scratch in the layer's c-order [rows, cols]
  private float[] first = new float[0]; // output-major scratch
  private float[] second = new float[0]; // output-major scratch
  private float[] sums = new float[0];
  private float[] scales = new float[0];
  private float[] tileGrad = new float[0];
  private LayerPlan plan;

  SignTileTransform(WeightKind kind, int tiles, boolean perUnit, double clip) {
    if (kind == WeightKind.FLOAT) throw new IllegalArgumentException("Float layers use WeightTransform.IDENTITY.");
    this.kind = kind;
    this.tiles = tiles;
    this.perUnit = perUnit;
    this.clip = clip;
  }

  private void shape(INDArray w) {
    int rows = (int) w.rows();
    int cols = (int) w.columns();
    if (plan != null && plan.rows() == rows && plan.cols() == cols) return;
    plan = new LayerPlan("layer", rows, cols, kind, tiles, perUnit);
    int n = plan.weightCount();
    cOrder = new float[n];
    first = new float[n];
    second = new float[n];
    sums = new float[plan.tileLength()];
    tileGrad = new float[plan.tileLength()];
    scales = new float[plan.scaleCount()];
  }

  @Override
  public boolean isIdentity() {
    return false;
  }

  @Override
  public void apply(INDArray latentWeights, INDArray effective) {
    shape(latentWeights);
    int n = plan.weightCount();
    read(latentWeights);
    SignTiles.toOutputMajor(cOrder, plan.rows(), plan.cols(), first);
    SignTiles.tile(first, n, plan.tileLength(), plan.scaleGroup(), sums, scales);
    SignTiles.expand(sums, scales, n, plan.tileLength(), plan.scaleGroup(), second);
    SignTiles.toCOrder(second, plan.rows(), plan.cols(), cOrder);
    write(effective);
  }

  @Override
  public void backward(INDArray latentWeights, INDArray effectiveGrad, INDArray latentGrad) {
    shape(latentWeights);
    int n = plan.weightCount();
    read(effectiveGrad);
    SignTiles.toOutputMajor(cOrder, plan.rows(), plan.cols(), first);
    SignTiles.backward(sums, scales, first, n, plan.tileLength(), plan.scaleGroup(), clip, tileGrad, second);
    SignTiles.toCOrder(second, plan.rows(), plan.cols(), cOrder);
    write(latentGrad);
  }

  @Override
  public String mode() {
    return kind == WeightKind.BINARY ? (perUnit ? "binary:per-unit" : "binary") : "tiled:" + tiles;
  }

  // Layers hand over contiguous c-order matrices, often views into the flat vector: one bulk copy each way.
  private void read(INDArray a) {
    requireContiguous(a);
    a.data().asNioFloat().get((int) a.offset(), cOrder, 0, plan.weightCount());
  }

  private void write(INDArray a) {
    requireContiguous(a);
    a.data().asNioFloat().put((int) a.offset(), cOrder, 0, plan.weightCount());
  }

  private void requireContiguous(INDArray a) {
    if (a.ordering() != 'c' || a.stride(1) != 1 || a.stride(0) != plan.cols()) {
      throw new IllegalStateException("Weight matrices must be contiguous in c-order.");
    }
  }
}
