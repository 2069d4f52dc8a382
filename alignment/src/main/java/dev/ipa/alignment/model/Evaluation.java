package dev.ipa.alignment.model;

/** Running accuracy and mean loss over evaluated batches. Not thread-safe. */
public final class Evaluation {
  private long count;
  private long correct;
  private double lossSum;

  void add(int n, int ok, double loss) {
    count += n;
    correct += ok;
    lossSum += loss;
  }

  public long count() {
    return count;
  }

  public double accuracy() {
    return count == 0 ? Double.NaN : (double) correct / count;
  }

  /** Mean cross-entropy per sample. */
  public double meanLoss() {
    return count == 0 ? Double.NaN : lossSum / count;
  }
}
