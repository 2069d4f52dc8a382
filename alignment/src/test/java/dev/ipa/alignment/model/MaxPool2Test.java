package dev.ipa.alignment.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The pooling loops are arithmetic (no selects) so that they vectorise; these pin what the select form did: the
 * maximum of each window, and the whole gradient to the window's first pixel holding it, ties included.
 */
class MaxPool2Test {

  /** One image, NHWC, 2×4 pixels of 2 channels: two windows per channel. */
  private static INDArray image(float... values) {
    INDArray x = Nd4j.create(DataType.FLOAT, 1, values.length);
    x.data().setData(values);
    return x;
  }

  @Test
  void forwardKeepsEachWindowsMaximumAndBackwardRoutesToItsFirstHolder() {
    MaxPool2 pool = new MaxPool2(2, 4, 2);
    // Row 0: pixels (0,0) (0,1) (0,2) (0,3), each [channel 0, channel 1]; then row 1.
    INDArray x = image(
        1, 0,   5, 0,   2, 7,   2, 7,
        3, 0,   5, 0,   2, 7,   9, 7);
    float[] pooled = pool.forward(x, 1).data().asFloat();
    assertThat(pooled).containsExactly(5, 0, 9, 7);

    float[] dx = pool.backward(image(10, 20, 30, 40), 1, true).data().asFloat();
    // Window 0, channel 0: 5 at (0,1) and (1,1), the first in reading order takes it. Channel 1: all zero, so
    // (0,0). Window 1, channel 0: 9 at (1,3). Channel 1: 7 everywhere, so (0,2).
    assertThat(dx).containsExactly(
        0, 20,  10, 0,  0, 40,  0, 0,
        0, 0,   0, 0,   0, 0,   30, 0);
  }

  @Test
  void anOddRowAndColumnAreDroppedAndGetNoGradient() {
    MaxPool2 pool = new MaxPool2(3, 3, 1);
    INDArray x = image(1, 2, 9, 3, 4, 9, 9, 9, 9);
    assertThat(pool.forward(x, 1).data().asFloat()).containsExactly(4);
    pool.backward(image(1), 1, true); // a first pass writes the interior
    float[] dx = pool.backward(image(2), 1, true).data().asFloat();
    assertThat(dx).containsExactly(0, 0, 0, 0, 2, 0, 0, 0, 0);
  }
}
