package dev.ipa.alignment.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.alignment.train.Adam;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The cnn takes images of any size from 4×4 up, grey or colour, as the image-folder data sets deliver them. */
class CnnInputShapeTest {

  @Test
  void aThreeChannel32x40CnnHasTheShapesOfItsLayers() {
    Architecture a = Architecture.cnn(3, 32, 40, 4);
    Network net = Network.create(a, 1);
    // Pooling halves each side twice: 32x40 -> 16x20 -> 8x10, so dense1 reads 8·10·32 features.
    assertThat(net.tensors()).extracting(ParamTensor::name)
        .containsExactly("conv1.W", "conv1.b", "conv2.W", "conv2.b", "dense1.W", "dense1.b", "dense2.W", "dense2.b");
    assertThat(net.tensors().get(0).shape()).containsExactly(5, 5, 3, 16);
    assertThat(net.tensors().get(2).shape()).containsExactly(5, 5, 16, 32);
    assertThat(net.tensors().get(4).shape()).containsExactly(8 * 10 * 32, 128);
    assertThat(net.tensors().get(6).shape()).containsExactly(128, 4);
    assertThat(net.parameterCount())
        .isEqualTo((75 * 16 + 16) + (400 * 32 + 32) + (2560 * 128 + 128) + (128 * 4 + 4));
    assertThat(a.inputSize()).isEqualTo(3 * 32 * 40);
    assertThat(a.describe()).isEqualTo("cnn 3x32x40 conv16-conv32-128-4");
  }

  @Test
  void aThreeChannel32x40CnnLearnsWhichColourIsBright() {
    // Four classes: red, green or blue dominates the image, or all three are equal (grey). A model that mixed
    // channels up, or read pixels with the wrong stride, could not separate them.
    Architecture a = Architecture.cnn(3, 32, 40, 4);
    Network net = Network.create(a, 2);
    Adam adam = new Adam(net.parameterCount(), 1e-3);
    int batch = 16;
    SplittableRandom rng = new SplittableRandom(3);
    INDArray x = Nd4j.create(DataType.FLOAT, batch, a.inputSize());
    int[] y = new int[batch];
    double first = 0;
    double last = 0;
    for (int step = 0; step < 30; step++) {
      fill(x, y, rng, a);
      double loss = net.computeGradients(x, y, batch);
      if (step == 0) first = loss;
      last = loss;
      float[] p = net.copyParams();
      adam.step(p, net.gradients().data().asFloat());
      net.setParams(p);
    }
    fill(x, y, rng, a);
    int[] predicted = new int[batch];
    Evaluation e = new Evaluation();
    net.evaluate(x, y, batch, e, predicted);
    assertThat(last).as("summed loss after 30 steps").isLessThan(first / 4);
    assertThat(e.accuracy()).as("accuracy on a fresh batch").isGreaterThanOrEqualTo(0.9);
  }

  private static void fill(INDArray x, int[] y, SplittableRandom rng, Architecture a) {
    int pixels = a.rows() * a.cols();
    float[] v = new float[y.length * a.inputSize()];
    for (int n = 0; n < y.length; n++) {
      y[n] = rng.nextInt(4);
      for (int p = 0; p < pixels; p++) {
        for (int ch = 0; ch < 3; ch++) {
          float base = (float) rng.nextDouble() * 0.3f;
          v[(n * pixels + p) * 3 + ch] = base + (y[n] == ch || y[n] == 3 ? 0.5f : 0f);
        }
      }
    }
    x.data().setData(v);
  }

  @Test
  void oddSidesPoolByFloorAndTheGradientStillMatches() {
    Architecture a = new Architecture("cnn", 3, 9, 7, 3, List.of(3, 4, 6));
    Network net = Network.create(a, 5);
    // 9x7 -> 4x3 -> 2x1: dense1 reads 2·1·4 features.
    assertThat(net.tensors().get(4).shape()).containsExactly(2 * 1 * 4, 6);
    NetworkGradientTest.checkGradient(net, 2, 4);
  }

  @Test
  void anImageSmallerThan4x4IsRefusedWithAReason() {
    assertThatThrownBy(() -> Architecture.cnn(1, 3, 28, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 4x4").hasMessageContaining("3x28");
  }
}
