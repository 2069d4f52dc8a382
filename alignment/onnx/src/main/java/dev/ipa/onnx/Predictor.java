package dev.ipa.onnx;

import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.quant.PackedModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The platform's own batch prediction with a model file: the packed model's network ({@link PackedModel#toNetwork},
 * the reference the ONNX export is checked against) run on rows in the platform's input layout (encoded table
 * rows, or NHWC images scaled to [0, 1]).
 *
 * <p>Not thread-safe: it owns the network's activation buffers and one input array; make one per thread.
 */
public final class Predictor {
  private final Architecture arch;
  private final Network network;
  private INDArray input;

  public Predictor(PackedModel model) {
    this.arch = model.architecture();
    this.network = model.toNetwork();
  }

  public int inputSize() {
    return arch.inputSize();
  }

  public int classes() {
    return arch.classes();
  }

  /**
   * Predicts the first {@code n} rows of {@code x} ({@code n × inputSize()} floats): each row's class into
   * {@code labels[r]} and its class probabilities into {@code probabilities[r * classes() + c]}.
   */
  public void predict(float[] x, int n, int[] labels, float[] probabilities) {
    if (n < 1) return;
    if (input == null || input.rows() != n) input = Nd4j.create(DataType.FLOAT, n, arch.inputSize());
    input.data().asNioFloat().put(0, x, 0, n * arch.inputSize());
    network.predict(input, n, labels, probabilities);
  }
}
