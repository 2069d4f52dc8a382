package dev.ipa.alignment.model;

import java.nio.FloatBuffer;

/**
 * Softmax cross-entropy summed over a batch, optionally weighted per class, and its gradient with respect to the
 * logits. Pure function.
 */
final class SoftmaxCrossEntropy {
  private SoftmaxCrossEntropy() {}

  /**
   * Returns Σ_r −log softmax(logits_r)[label_r] and writes d/dlogits = softmax − onehot into {@code grad}.
   * Uses the max-shift for numerical stability.
   */
  static double lossAndGradient(FloatBuffer logits, int[] labels, int batch, int classes, FloatBuffer grad) {
    return lossAndGradient(logits, labels, batch, classes, null, grad);
  }

  /**
   * The same with row r's loss and gradient multiplied by {@code classWeights[label_r]} (null: all 1). Weight 1
   * gives exactly the unweighted figures.
   */
  static double lossAndGradient(FloatBuffer logits, int[] labels, int batch, int classes, float[] classWeights, FloatBuffer grad) {
    double loss = 0;
    for (int r = 0; r < batch; r++) {
      int base = r * classes;
      float max = logits.get(base);
      for (int c = 1; c < classes; c++) max = Math.max(max, logits.get(base + c));
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        double e = Math.exp(logits.get(base + c) - max);
        grad.put(base + c, (float) e);
        sum += e;
      }
      int y = labels[r];
      if (y < 0 || y >= classes) {
        throw new IllegalArgumentException("Label " + y + " at row " + r + " is outside the model's " + classes + " classes.");
      }
      double rowLoss = Math.log(sum) - (logits.get(base + y) - max);
      float inv = (float) (1.0 / sum);
      for (int c = 0; c < classes; c++) grad.put(base + c, grad.get(base + c) * inv);
      grad.put(base + y, grad.get(base + y) - 1f);
      if (classWeights == null) {
        loss += rowLoss;
      } else {
        float w = classWeights[y];
        loss += w * rowLoss;
        for (int c = 0; c < classes; c++) grad.put(base + c, grad.get(base + c) * w);
      }
    }
    return loss;
  }
}
