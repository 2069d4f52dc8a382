package dev.ipa.alignment.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ipa.alignment.train.ClassWeighting;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ClassWeightsAndLinearTest {
  @Test
  void balancedWeightsGiveEveryPresentClassTheSameTotal() {
    float[] w = ClassWeighting.balanced(new int[] {6, 2, 0});
    assertThat(w[0]).isCloseTo(8f / 12, within(1e-6f));
    assertThat(w[1]).isEqualTo(2f);
    assertThat(w[2]).isZero();
    assertThat(6 * w[0]).isCloseTo(2 * w[1], within(1e-5f));
  }

  @Test
  void aWeightedRowCountsItsWeightTimesAndWeightOneChangesNothing() {
    FloatBuffer logits = FloatBuffer.wrap(new float[] {1f, -0.5f, 0.25f, 2f, 0f, -1f});
    int[] labels = {2, 0};
    FloatBuffer g0 = FloatBuffer.allocate(6);
    FloatBuffer g1 = FloatBuffer.allocate(6);
    FloatBuffer g2 = FloatBuffer.allocate(6);
    double plain = SoftmaxCrossEntropy.lossAndGradient(logits, labels, 2, 3, g0);
    double ones = SoftmaxCrossEntropy.lossAndGradient(logits, labels, 2, 3, new float[] {1f, 1f, 1f}, g1);
    double weighted = SoftmaxCrossEntropy.lossAndGradient(logits, labels, 2, 3, new float[] {3f, 1f, 0.5f}, g2);
    assertThat(ones).isEqualTo(plain);
    assertThat(g1.array()).containsExactly(g0.array());

    double row0 = SoftmaxCrossEntropy.lossAndGradient(FloatBuffer.wrap(new float[] {1f, -0.5f, 0.25f}), new int[] {2}, 1, 3, FloatBuffer.allocate(3));
    double row1 = plain - row0;
    assertThat(weighted).isCloseTo(0.5 * row0 + 3 * row1, within(1e-9));
    for (int c = 0; c < 3; c++) {
      assertThat(g2.get(c)).isCloseTo(0.5f * g0.get(c), within(1e-7f));
      assertThat(g2.get(3 + c)).isCloseTo(3f * g0.get(3 + c), within(1e-7f));
    }
  }

  @Test
  void linearIsOneDenseLayerFromInputsToLogits() {
    Architecture a = Architecture.parse("linear", 3, 4, 4, 5);
    assertThat(a.describe()).isEqualTo("linear 48-5");
    Network n = Network.create(a, 1);
    assertThat(n.parameterCount()).isEqualTo(48 * 5 + 5);
    assertThat(n.tensors()).hasSize(2);
    assertThatThrownBy(() -> Architecture.parse("linear:10", 1, 4, 4, 5)).hasMessageContaining("no hidden layers");

    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 48);
    double loss = n.computeGradients(x, new int[] {0, 4}, 2);
    assertThat(loss).isPositive();
    n.setClassWeights(new float[] {0, 1, 1, 1, 0});
    assertThat(n.computeGradients(x, new int[] {0, 4}, 2)).isZero();
    assertThat(n.gradients().norm2Number().doubleValue()).isZero();
    assertThatThrownBy(() -> n.setClassWeights(new float[] {1})).hasMessageContaining("Expected 5 class weights");
    assertThat(List.of(n.classWeights()[1])).containsExactly(1f);
  }
}
