package dev.ipa.alignment.model;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A reusable 2-D float buffer with a direct {@link FloatBuffer} view, for element-wise loops that would cost more
 * as separate native ND4J calls than as one pass in Java. One array per batch size in use ({@link PerBatch}), so
 * switching between training and evaluation allocates nothing once each size has been seen.
 */
final class Buffers {
  private record Slot(INDArray array, FloatBuffer view) {}

  private final PerBatch<Slot> slots;
  private Slot current;

  Buffers(int cols) {
    this.slots = new PerBatch<>(rows -> {
      INDArray a = Nd4j.createUninitialized(DataType.FLOAT, rows, cols);
      return new Slot(a, a.data().asNioFloat());
    });
  }

  INDArray get(int batch) {
    current = slots.get(batch);
    return current.array();
  }

  /** The direct view of the array the last {@link #get} returned. */
  FloatBuffer view() {
    return current.view();
  }

  /** The direct float view of a whole (non-view) array, positioned at its first element. */
  static FloatBuffer floats(INDArray a) {
    return a.data().asNioFloat();
  }
}
