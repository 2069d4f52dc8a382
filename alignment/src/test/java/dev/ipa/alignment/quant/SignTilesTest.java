package dev.ipa.alignment.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ipa.alignment.model.WeightTransform;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Binary and tiled weights and their straight-through gradients on layers small enough to compute by hand. */
class SignTilesTest {

  /** A [rows, cols] view into a flat vector at an offset, exactly as Dense binds its weights. */
  private static INDArray view(float[] values, int rows, int cols) {
    INDArray flat = Nd4j.create(DataType.FLOAT, 1, values.length + 3);
    for (int i = 0; i < values.length; i++) flat.putScalar(0, 3 + i, values[i]);
    return flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(3, 3 + values.length)).reshape('c', rows, cols);
  }

  private static float[] values(INDArray a) {
    return a.dup('c').data().asFloat();
  }

  @Test
  void binaryForwardIsMeanAbsTimesSignAndTheClippedGradientIsScaledAndCancelledAboveOne() {
    // W = [[0.5, -0.25, 2.0], [0.0, -1.0, 0.75]]: α = (0.5 + 0.25 + 2 + 0 + 1 + 0.75) / 6 = 0.75; sign(0) = +1.
    INDArray w = view(new float[] {0.5f, -0.25f, 2.0f, 0.0f, -1.0f, 0.75f}, 2, 3);
    WeightTransform t = WeightMode.parse("binary").transform(new LayerPlan("l", 2, 3, WeightKind.BINARY, 1, false));
    INDArray eff = Nd4j.create(DataType.FLOAT, 2, 3);
    t.apply(w, eff);
    assertThat(values(eff)).containsExactly(0.75f, -0.75f, 0.75f, 0.75f, -0.75f, 0.75f);

    // d/dW = α · g · 1{|W| ≤ 1}: the 2.0 entry is saturated, the -1.0 entry is on the boundary and passes.
    INDArray g = Nd4j.createFromArray(new float[][] {{1, 2, 3}, {4, 5, 6}});
    INDArray latentGrad = view(new float[6], 2, 3);
    t.backward(w, g, latentGrad);
    assertThat(values(latentGrad)).containsExactly(0.75f, 1.5f, 0f, 3f, 3.75f, 4.5f);
  }

  @Test
  void identityEstimatorDoesNotCancel() {
    INDArray w = view(new float[] {0.5f, -0.25f, 2.0f, 0.0f, -1.0f, 0.75f}, 2, 3);
    WeightTransform t = WeightMode.parse("binary,ste=identity").transform(new LayerPlan("l", 2, 3, WeightKind.BINARY, 1, false));
    t.apply(w, Nd4j.create(DataType.FLOAT, 2, 3));
    INDArray latentGrad = view(new float[6], 2, 3);
    t.backward(w, Nd4j.createFromArray(new float[][] {{1, 2, 3}, {4, 5, 6}}), latentGrad);
    assertThat(values(latentGrad)).containsExactly(0.75f, 1.5f, 2.25f, 3f, 3.75f, 4.5f);
  }

  @Test
  void perUnitScalesAreTheMeanAbsOfEachColumn() {
    // Columns (units): [0.5, 0.0] → α0 = 0.25; [-0.25, -1.0] → α1 = 0.625; [2.0, 0.75] → α2 = 1.375.
    INDArray w = view(new float[] {0.5f, -0.25f, 2.0f, 0.0f, -1.0f, 0.75f}, 2, 3);
    WeightTransform t = WeightMode.parse("binary:per-unit").transform(new LayerPlan("l", 2, 3, WeightKind.BINARY, 1, true));
    INDArray eff = Nd4j.create(DataType.FLOAT, 2, 3);
    t.apply(w, eff);
    assertThat(values(eff)).containsExactly(0.25f, -0.625f, 1.375f, 0.25f, -0.625f, 1.375f);
  }

  @Test
  void tilingWithNNotDivisibleByPUsesAShortLastCopy() {
    // n = 10, p = 4 → q = 3 tile bits, 4 copies: [f0..f2] [f3..f5] [f6..f8] [f9]. Output-major index f = j·rows + i;
    // with rows = 5, cols = 2 the output-major latent below is column 0 (f0..f4) then column 1 (f5..f9).
    float[] om = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f, 0.7f, 0.8f, -0.9f, 1.0f};
    // s0 = 0.1 - 0.4 + 0.7 + 1.0 = 1.4 (+); s1 = -0.2 + 0.5 + 0.8 = 1.1 (+); s2 = 0.3 - 0.6 - 0.9 = -1.2 (-)
    // α0 = 0.2, α1 = 0.5, α2 = 0.8, α3 = 1.0
    LayerPlan plan = new LayerPlan("l", 5, 2, WeightKind.TILED, 4, false);
    assertThat(plan.tileLength()).isEqualTo(3);
    assertThat(plan.scaleCount()).isEqualTo(4);
    float[] sums = new float[3];
    float[] scales = new float[4];
    SignTiles.tile(om, 10, 3, 3, sums, scales);
    assertThat(sums).containsExactly(new float[] {1.4f, 1.1f, -1.2f}, within(1e-6f));
    assertThat(scales).containsExactly(new float[] {0.2f, 0.5f, 0.8f, 1.0f}, within(1e-6f));
    float[] eff = new float[10];
    SignTiles.expand(sums, scales, 10, 3, 3, eff);
    assertThat(eff).containsExactly(0.2f, 0.2f, -0.2f, 0.5f, 0.5f, -0.5f, 0.8f, 0.8f, -0.8f, 1.0f);

    // Same through the transform on the c-order [5, 2] matrix the layer holds.
    float[] cOrder = new float[10];
    SignTiles.toCOrder(om, 5, 2, cOrder);
    WeightTransform t = WeightMode.parse("tiled:4").transform(plan);
    INDArray w = view(cOrder, 5, 2);
    INDArray effective = Nd4j.create(DataType.FLOAT, 5, 2);
    t.apply(w, effective);
    float[] expected = new float[10];
    SignTiles.toCOrder(eff, 5, 2, expected);
    assertThat(values(effective)).containsExactly(expected);

    // Gradient: every latent feeding tile bit i gets Σ_k α_k g[kq+i]; |s_i| > 1 cancels bits 0 and 2.
    float[] gOm = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    float[] tileGrad = new float[3];
    float[] out = new float[10];
    SignTiles.backward(sums, scales, gOm, 10, 3, 3, Double.POSITIVE_INFINITY, tileGrad, out);
    // bit0: 0.2·1 + 0.5·4 + 0.8·7 + 1.0·10 = 17.8; bit1: 0.2·2 + 0.5·5 + 0.8·8 = 9.3; bit2: 0.2·3 + 0.5·6 + 0.8·9 = 10.8
    assertThat(out).containsExactly(new float[] {17.8f, 9.3f, 10.8f, 17.8f, 9.3f, 10.8f, 17.8f, 9.3f, 10.8f, 17.8f}, within(1e-5f));
    SignTiles.backward(sums, scales, gOm, 10, 3, 3, 1.0, tileGrad, out);
    assertThat(out).containsExactly(new float[] {0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f}, within(0f));
  }

  @Test
  void aLayerWithFewerWeightsThanCopiesPerTileGetsFewerCopies() {
    // n = 9, p = 4 → q = 3, so only ⌈9/3⌉ = 3 copies exist; the plan never has an empty copy.
    LayerPlan plan = new LayerPlan("l", 3, 3, WeightKind.TILED, 4, false);
    assertThat(plan.tileLength()).isEqualTo(3);
    assertThat(plan.scaleCount()).isEqualTo(3);
    assertThat(plan.weightBytes()).isEqualTo(1);
    assertThat(plan.packedBytes()).isEqualTo(LayerPlan.DESCRIPTOR_BYTES + 3 * 4 + 1 + 1 + 3 * 2);
  }

  @Test
  void halfRoundingIsToNearestEven() {
    assertThat(Half.round(1f)).isEqualTo(1f);
    assertThat(Half.round(0.1f)).isEqualTo(0.0999755859375f);
    assertThat(Half.round(1f + 0x1p-11f)).isEqualTo(1f); // tie → even mantissa
    assertThat(Half.round(1f + 3 * 0x1p-11f)).isEqualTo(1f + 0x1p-9f);
    assertThat(Half.round(-3e-6f)).isEqualTo(-50 * 0x1p-24f); // subnormal: 3e-6 / 2^-24 ≈ 50.33 → 50
    assertThat(Half.round(1e6f)).isEqualTo(65504f);
  }
}
