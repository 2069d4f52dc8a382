package dev.ipa.alignment.model;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A reusable 2-D float buffer with a direct {@link FloatBuffer} view, for element-wise loops that would cost more
 * as separate native ND4J calls than as one pass in Java. Reallocated only when the batch size changes.
 */
final class Buffers {
  private INDArray array;
  private FloatBuffer view;
  private int rows = -1;
  private final int cols;

  Buffers(int cols) {
    this.cols = cols;
  }

  INDArray get(int batch) {
    if (batch != rows) {
      array = Nd4j.createUninitialized(DataType.FLOAT, batch, cols);
      view = array.data().asNioFloat();
      rows = batch;
    }
    return array;
  }

  FloatBuffer view() {
    return view;
  }

  /** The direct float view of a whole (non-view) array, positioned at its first element. */
  static FloatBuffer floats(INDArray a) {
    return a.data().asNioFloat();
  }
}
