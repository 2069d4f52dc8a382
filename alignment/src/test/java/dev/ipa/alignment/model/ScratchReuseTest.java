package dev.ipa.alignment.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scratch arrays are kept per batch size, so a peer that alternates between training and evaluation batches
 * allocates no native memory per round (issue 16's RSS growth), and the reuse never mixes one batch size's
 * state into another's.
 */
class ScratchReuseTest {

  @Test
  void aBatchSizeSeenBeforeGetsItsOwnArrayBackAfterAnotherSizeWasUsed() {
    Buffers buffers = new Buffers(3);
    INDArray training = buffers.get(50);
    INDArray evaluation = buffers.get(500);
    assertThat(buffers.get(50)).isSameAs(training);
    assertThat(buffers.get(500)).isSameAs(evaluation);
    assertThat(evaluation.rows()).isEqualTo(500);
    assertThat(buffers.view().capacity()).isEqualTo(500 * 3);
  }

  @Test
  void onlyTheMostRecentlyUsedSizesAreKept() {
    Buffers buffers = new Buffers(2);
    INDArray first = buffers.get(1);
    for (int rows = 2; rows <= PerBatch.SIZES + 1; rows++) buffers.get(rows);
    assertThat(buffers.get(1)).as("size 1 was the least recently used of %d sizes", PerBatch.SIZES + 1).isNotSameAs(first);
    assertThat(buffers.get(PerBatch.SIZES + 1).rows()).isEqualTo(PerBatch.SIZES + 1);
  }

  @Test
  void gradientsAreTheSameBeforeAndAfterAnEvaluationAtAnotherBatchSize() {
    for (Architecture a : List.of(new Architecture("mlp", 1, 4, 3, 5, List.of(7, 6)), new Architecture("cnn", 2, 8, 8, 3, List.of(3, 4, 6)))) {
      Network net = Network.create(a, 5);
      INDArray x = random(4, a.inputSize(), 1);
      int[] y = {0, 1, 2, 1};
      double loss = net.computeGradients(x, y, 4);
      float[] gradients = net.gradients().data().asFloat();

      INDArray other = random(7, a.inputSize(), 2);
      net.evaluate(other, new int[] {2, 2, 1, 0, 0, 1, 2}, 7, new Evaluation(), null);

      assertThat(net.computeGradients(x, y, 4)).as(a.family()).isEqualTo(loss);
      assertThat(net.gradients().data().asFloat()).as(a.family()).containsExactly(gradients);
    }
  }

  private static INDArray random(int rows, int cols, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextDouble();
    INDArray a = Nd4j.create(DataType.FLOAT, rows, cols);
    a.data().setData(v);
    return a;
  }
}
