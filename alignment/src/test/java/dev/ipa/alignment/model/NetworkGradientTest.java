package dev.ipa.alignment.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The analytic gradient of each network against central finite differences of the summed loss. */
class NetworkGradientTest {

  private static double loss(Network net, INDArray x, int[] y, int batch) {
    Evaluation e = new Evaluation();
    net.evaluate(x, y, batch, e, null);
    return e.meanLoss() * batch;
  }

  static void checkGradient(Network net, int batch, long seed) {
    int in = net.architecture().inputSize();
    SplittableRandom rng = new SplittableRandom(seed);
    float[] xs = new float[batch * in];
    for (int i = 0; i < xs.length; i++) xs[i] = (float) rng.nextDouble();
    INDArray x = Nd4j.create(DataType.FLOAT, batch, in);
    x.data().setData(xs);
    int[] y = new int[batch];
    for (int i = 0; i < batch; i++) y[i] = rng.nextInt(net.architecture().classes());

    net.computeGradients(x, y, batch);
    float[] analytic = net.gradients().data().asFloat();
    float[] theta = net.copyParams();

    // Check every bias and a random sample of weights, coordinate by coordinate.
    int checked = 0;
    double eps = 1e-3;
    for (int trial = 0; trial < 60; trial++) {
      int i = rng.nextInt(theta.length);
      float[] plus = theta.clone();
      plus[i] += (float) eps;
      net.setParams(plus);
      double lp = loss(net, x, y, batch);
      float[] minus = theta.clone();
      minus[i] -= (float) eps;
      net.setParams(minus);
      double lm = loss(net, x, y, batch);
      double numeric = (lp - lm) / (2 * eps);
      // ReLU kinks make finite differences meaningless for a few coordinates; compare with a tolerance that
      // scales with the gradient, and require nearly all to agree.
      if (Math.abs(numeric - analytic[i]) <= 2e-2 + 2e-2 * Math.abs(numeric)) checked++;
    }
    net.setParams(theta);
    assertThat(checked).as("coordinates whose analytic gradient matches finite differences").isGreaterThanOrEqualTo(57);
  }

  @Test
  void mlpGradientMatchesFiniteDifferences() {
    Architecture a = new Architecture("mlp", 1, 4, 3, 5, java.util.List.of(7, 6));
    checkGradient(Network.create(a, 11), 4, 1);
  }

  @Test
  void cnnGradientMatchesFiniteDifferences() {
    Architecture a = new Architecture("cnn", 2, 8, 8, 3, java.util.List.of(3, 4, 6));
    checkGradient(Network.create(a, 12), 3, 2);
  }

  @Test
  void greyCnnGradientMatchesFiniteDifferencesThroughTheTransposedColumns() {
    // One input channel and one filter in the first layer, so both convolutions take the one-channel
    // (transposed-columns) path, the second with an input gradient through it. 64×64 images make a chunk 5 images
    // in the first layer, so batch 7 runs a full chunk and a short one.
    Architecture a = new Architecture("cnn", 1, 64, 64, 3, java.util.List.of(1, 2, 4));
    checkGradient(Network.create(a, 13), 7, 3);
  }

  @Test
  void gradientOfWrongLabelIsPositiveOnTheWrongLogitsBias() {
    // Hand-checkable: with all-zero weights the logits equal the last bias (zero), so softmax is uniform and
    // d CE / d b_last = batch · (1/k) − count(label == c).
    Architecture a = new Architecture("mlp", 1, 2, 2, 4, java.util.List.of(3));
    Network net = Network.create(a, 1);
    net.setParams(new float[net.parameterCount()]);
    INDArray x = Nd4j.create(DataType.FLOAT, 2, 4).assign(1);
    net.computeGradients(x, new int[] {1, 1}, 2);
    float[] g = net.gradients().data().asFloat();
    int lastBias = net.parameterCount() - 4;
    assertThat(g[lastBias]).isCloseTo(0.5f, org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(g[lastBias + 1]).isCloseTo(0.5f - 2f, org.assertj.core.data.Offset.offset(1e-6f));
  }

  @Test
  void sameSeedGivesSameWeightsAndDifferentSeedDifferentWeights() {
    Architecture a = Architecture.parse("mlp", 1, 28, 28, 10);
    float[] first = Network.create(a, 7).copyParams();
    float[] second = Network.create(a, 7).copyParams();
    float[] other = Network.create(a, 8).copyParams();
    assertThat(second).containsExactly(first);
    assertThat(other).isNotEqualTo(first);
    assertThat(first.length).isEqualTo(784 * 200 + 200 + 200 * 200 + 200 + 200 * 10 + 10);
  }

  @Test
  void layerViewsShareTheFlatVector() {
    Architecture a = new Architecture("mlp", 1, 2, 2, 3, java.util.List.of(2));
    Network net = Network.create(a, 3);
    INDArray x = Nd4j.create(DataType.FLOAT, 1, 4).assign(1);
    Evaluation before = new Evaluation();
    net.evaluate(x, new int[] {0}, 1, before, null);
    net.params().muli(0); // zero weights through the flat vector: logits become 0, loss = log 3
    Evaluation after = new Evaluation();
    net.evaluate(x, new int[] {0}, 1, after, null);
    assertThat(after.meanLoss()).isCloseTo(Math.log(3), org.assertj.core.data.Offset.offset(1e-6));
    assertThat(before.meanLoss()).isNotCloseTo(Math.log(3), org.assertj.core.data.Offset.offset(1e-6));
  }
}
