package dev.ipa.alignment.protocol;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.model.Evaluation;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.train.GradientPenalty;
import dev.ipa.alignment.train.LocalTrainer;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * What a {@link FederationStrategy} and the {@link RingProtocol} may use of the peer they run in: its model, its
 * trainer, its data size and the federation's, and training or evaluation inside the peer's compute permit.
 *
 * <p>Made once per peer by {@link FederatedPeer}; lives as long as the peer. The model and trainer are used from
 * the peer's round thread only; the context itself holds no other state.
 */
public final class PeerContext {
  private final String id;
  private final List<String> peers;
  private final Network network;
  private final LocalTrainer trainer;
  private final long totalDataSize;
  private final Semaphore compute;
  private final Dataset validationSet;
  private final int[] validation;
  private final Suspicions suspicions;
  private final Supplier<float[]> publishedView;
  private long largestDataSize; // the largest data size provisioned or heard claimed, this peer's own included; round thread only

  /**
   * @param peers         every peer of the federation, in the order shared by all
   * @param totalDataSize Σ|D| over the federation
   * @param compute       optional permit pool limiting concurrent training in a simulation (null = none)
   * @param publishedView r, the view every receiver holds of θ after this peer's last share (see
   *                      {@link #publishedView()})
   */
  PeerContext(String id, List<String> peers, Network network, LocalTrainer trainer, long totalDataSize, Semaphore compute,
      Dataset validationSet, int[] validation, Suspicions suspicions, Supplier<float[]> publishedView) {
    this.publishedView = publishedView;
    this.validationSet = validationSet;
    this.validation = validation;
    this.suspicions = suspicions;
    this.id = id;
    this.peers = List.copyOf(peers);
    this.network = network;
    this.trainer = trainer;
    this.totalDataSize = totalDataSize;
    this.compute = compute;
    this.largestDataSize = trainer.sampleCount();
  }

  /** Records a neighbour's provisioned size, or its (capped) data-size claim as it arrives with a snapshot. */
  void heard(long dataSize) {
    largestDataSize = Math.max(largestDataSize, dataSize);
  }

  /**
   * r, what every receiver holds of this peer's θ after its last share with sign deltas: θ less the codec's
   * error-feedback residual. Null before the first share; under differential privacy, where what is published is a
   * noised θ whose noise must not flow back into θ; and with every other codec (fp32: r = θ anyway; tiles: mixing
   * views that keep 1/235 of the bytes made the consensus collapse). Not a copy: read only.
   */
  public float[] publishedView() {
    return publishedView.get();
  }

  /** The largest data size provisioned or heard claimed so far, this peer's own included. */
  public long largestDataSize() {
    return largestDataSize;
  }

  public String id() {
    return id;
  }

  /** Every peer of the federation, this one included, in the order shared by all. */
  public List<String> peers() {
    return peers;
  }

  /** The model; strategies read θ with {@link Network#copyParams()} and move it with {@link Network#setParams}. */
  public Network network() {
    return network;
  }

  public LocalTrainer trainer() {
    return trainer;
  }

  /** |D_i|, this peer's training-set size. */
  public int dataSize() {
    return trainer.sampleCount();
  }

  /** Σ|D| over the federation. */
  public long totalDataSize() {
    return totalDataSize;
  }

  /** Runs {@code steps} training steps with {@code penalty} inside a compute permit; returns the summed data loss. */
  /**
   * {@code steps} local steps without any penalty, then the data cursor goes back to where it was, so that the
   * federation's own training sees the batches it would have; the caller keeps or restores the parameters and the
   * optimiser's moments.
   */
  public void fineTune(int steps) throws InterruptedException {
    int epoch = trainer.epoch();
    int cursor = trainer.cursor();
    train(steps, GradientPenalty.NONE);
    trainer.seek(epoch, cursor);
  }

  /** A fine-tuned model and its accuracy on the peer's validation split (NaN when the peer keeps none). */
  record Tuned(float[] params, double validationAccuracy) {}

  /**
   * Fine-tunes the network's current model into a personal one without any penalty, as {@code settings} say:
   * exactly {@link PersonalSettings#fineTuneSteps} steps, or whole local epochs, at most
   * {@link PersonalSettings#fineTuneEpochs}, keeping the model (the starting one included) with the best validation
   * accuracy and stopping at the first epoch that does not improve on it. Without a validation split it trains one
   * epoch. The data cursor goes back to where it was; the network is left at the last epoch trained, so the caller
   * restores the parameters and the optimiser's moments it wants.
   */
  Tuned fineTuneBest(PersonalSettings settings) throws InterruptedException {
    if (!settings.selectsOnValidation() || validation.length == 0) {
      fineTune(settings.selectsOnValidation() ? trainer.stepsPerEpoch() : settings.fineTuneSteps());
      float[] tuned = network.copyParams();
      return new Tuned(tuned, validation.length == 0 ? Double.NaN : validationAccuracy(tuned));
    }
    int epoch = trainer.epoch();
    int cursor = trainer.cursor();
    float[] best = network.copyParams();
    double bestAccuracy = evaluate(validationSet, validation).accuracy();
    for (int e = 0; e < settings.fineTuneEpochs(); e++) {
      train(trainer.stepsPerEpoch(), GradientPenalty.NONE);
      double accuracy = evaluate(validationSet, validation).accuracy();
      if (!(accuracy > bestAccuracy)) break;
      best = network.copyParams();
      bestAccuracy = accuracy;
    }
    trainer.seek(epoch, cursor);
    return new Tuned(best, bestAccuracy);
  }

  public double train(int steps, GradientPenalty penalty) throws InterruptedException {
    acquire();
    try {
      return trainer.trainSteps(steps, penalty);
    } finally {
      release();
    }
  }

  /** Accuracy and loss of the current model on {@code indices} of {@code set}, inside a compute permit. */
  Evaluation evaluate(Dataset set, int[] indices) throws InterruptedException {
    acquire();
    try {
      return LocalTrainer.evaluate(network, set, indices);
    } finally {
      release();
    }
  }

  /** Where the defences report what they clipped or left out. */
  public Suspicions suspicions() {
    return suspicions;
  }

  /**
   * Mean loss of {@code params} (null: the model as it is) on the local validation split, inside a compute
   * permit. The model is put back bit for bit afterwards.
   */
  double validationLoss(float[] params) throws InterruptedException {
    if (params == null) return evaluate(validationSet, validation).meanLoss();
    return network.withParams(params, () -> evaluate(validationSet, validation).meanLoss());
  }

  /**
   * Whether {@code candidate} is right on significantly more of the validation samples than {@code own}: of the
   * samples where exactly one of the two is right, the candidate's lead b − c exceeds √(b + c) (a one-sided sign
   * test at z = 1, about 84%). Paired, so two similar models are compared on what they disagree about. False
   * without a validation split.
   */
  boolean significantlyBetter(float[] candidate, float[] own) throws InterruptedException {
    if (validation.length == 0) return false;
    int[] labels = new int[validation.length];
    validationSet.labels(validation, 0, validation.length, labels);
    int[] mine = predictions(own);
    int[] theirs = predictions(candidate);
    int b = 0;
    int c = 0;
    for (int i = 0; i < labels.length; i++) {
      boolean ours = mine[i] == labels[i];
      boolean better = theirs[i] == labels[i];
      if (better && !ours) b++;
      else if (ours && !better) c++;
    }
    return b - c > Math.sqrt(b + c);
  }

  private int[] predictions(float[] params) throws InterruptedException {
    int[] out = new int[validation.length];
    network.withParams(params, () -> {
      acquire();
      try {
        return LocalTrainer.evaluate(network, validationSet, validation, out);
      } finally {
        release();
      }
    });
    return out;
  }

  /**
   * Accuracy of {@code params} on the local validation split, inside a compute permit; the model is put back bit
   * for bit afterwards.
   */
  double validationAccuracy(float[] params) throws InterruptedException {
    return network.withParams(params, () -> evaluate(validationSet, validation).accuracy());
  }

  private void acquire() throws InterruptedException {
    if (compute != null) compute.acquire();
  }

  private void release() {
    if (compute != null) compute.release();
  }
}
