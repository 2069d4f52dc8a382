package dev.ipa.sim.engine;

import dev.ipa.alignment.model.Metric;
import dev.ipa.alignment.protocol.StopRecord;
import java.util.List;

/**
 * Everything a simulation measured. Per peer and round: global test accuracy (whole test set) and personal
 * accuracy (test accuracy per class, weighted by the peer's shard's class mix).
 */
public record SimulationResult(
    String algorithm,
    List<PeerInfo> peers,
    List<List<PeerRound>> rounds,
    List<StopRecord> stops,
    double seconds,
    long fp32BytesPerSnapshot) {

  /** A peer's shard: its training, validation and local test sizes, and the classes it holds. */
  public record PeerInfo(String id, int shardSize, int validationSize, int testSize, int[] classes) {}

  /**
   * One peer in one round. NaN figures when the round was not evaluated on the test set; {@code auc} is NaN unless
   * the data has two classes. {@code accuracy} (the whole test set, a simulation-only figure) and {@code personalAccuracy}
   * (the peer's local test split, as an organisation measures it) are the peer's own (personal) model's;
   * {@code consensusAccuracy} and {@code consensusPersonalAccuracy} the same figures of its consensus model (the
   * data-size weighted mean of the latest snapshots for IPA, the global model for Ditto and FedAvg + fine-tuning),
   * equal to the first two where the consensus is the model itself (FedAvg, FedProx, local-only). {@code mixAccuracy}
   * weights the personal model's per-class test-set accuracy by the shard's class mix (the personal figure of earlier
   * releases, and still the personal figure of a shard without a local test split).
   */
  public record PeerRound(String id, int round, double accuracy, double personalAccuracy, double loss,
      double validationAccuracy, double trainLoss, long bytesSent, int snapshotsSent, int failures, int maxStaleness, boolean frozen, boolean stopped,
      double epsilon, double balancedAccuracy, double macroF1, double auc, double consensusAccuracy, double consensusPersonalAccuracy,
      double mixAccuracy) {

    /** This round's test figure under {@code m}. */
    public double metric(Metric m) {
      return switch (m) {
        case ACCURACY -> accuracy;
        case BALANCED_ACCURACY -> balancedAccuracy;
        case MACRO_F1 -> macroF1;
        case AUC -> auc;
      };
    }
  }

  /** Mean over the peers of their last evaluated round's {@code m}. */
  public double mean(Metric m) {
    return finalRound().stream().mapToDouble(pr -> pr.metric(m)).average().orElse(Double.NaN);
  }

  /** Smallest over the peers of their last evaluated round's {@code m}. */
  public double min(Metric m) {
    return finalRound().stream().mapToDouble(pr -> pr.metric(m)).min().orElse(Double.NaN);
  }

  /** Mean final test and personal accuracy over the peers not in {@code excluded} (by index): the honest peers of an attack. */
  public double[] meanAccuracyWithout(java.util.Set<Integer> excluded) {
    List<PeerRound> last = finalRound();
    double acc = 0;
    double personal = 0;
    int n = 0;
    for (int i = 0; i < last.size(); i++) {
      if (excluded.contains(i) || last.get(i) == null) continue;
      acc += last.get(i).accuracy();
      personal += last.get(i).personalAccuracy();
      n++;
    }
    return new double[] {acc / n, personal / n};
  }

  /** The last evaluated round of each peer. */
  public List<PeerRound> finalRound() {
    List<PeerRound> last = new java.util.ArrayList<>();
    for (int p = 0; p < peers.size(); p++) {
      PeerRound best = null;
      for (List<PeerRound> r : rounds) {
        if (p < r.size() && r.get(p) != null && !Double.isNaN(r.get(p).accuracy())) best = r.get(p);
      }
      last.add(best);
    }
    return last;
  }

  public double meanAccuracy() {
    return finalRound().stream().mapToDouble(PeerRound::accuracy).average().orElse(Double.NaN);
  }

  public double minAccuracy() {
    return finalRound().stream().mapToDouble(PeerRound::accuracy).min().orElse(Double.NaN);
  }

  /** Mean over the peers of their last evaluated round's consensus accuracy (global test set). */
  public double meanConsensusAccuracy() {
    return finalRound().stream().mapToDouble(PeerRound::consensusAccuracy).average().orElse(Double.NaN);
  }

  /** Mean over the peers of their last evaluated round's consensus model's personal accuracy. */
  public double meanConsensusPersonalAccuracy() {
    return finalRound().stream().mapToDouble(PeerRound::consensusPersonalAccuracy).average().orElse(Double.NaN);
  }

  public double meanPersonalAccuracy() {
    return finalRound().stream().mapToDouble(PeerRound::personalAccuracy).average().orElse(Double.NaN);
  }

  /**
   * The personal accuracy over every peer's local test samples pooled: Σ correct / Σ samples, so a peer counts with the
   * size of its local test split. PFLlib's leaderboard reports this figure; {@link #meanPersonalAccuracy} weighs every peer
   * the same. NaN without local test splits.
   */
  public double pooledPersonalAccuracy() {
    List<PeerRound> last = finalRound();
    double correct = 0;
    long samples = 0;
    for (int i = 0; i < last.size() && i < peers.size(); i++) {
      if (last.get(i) == null || peers.get(i).testSize() == 0) continue;
      correct += last.get(i).personalAccuracy() * peers.get(i).testSize();
      samples += peers.get(i).testSize();
    }
    return samples == 0 ? Double.NaN : correct / samples;
  }

  /** Σ bytes sent by every peer over every round. */
  public long totalBytesSent() {
    long b = 0;
    for (List<PeerRound> r : rounds) for (PeerRound pr : r) if (pr != null) b += pr.bytesSent();
    return b;
  }

  /** What the same exchanges would have cost as fp32 full snapshots, without headers. */
  public long fp32Bytes() {
    long n = 0;
    for (List<PeerRound> r : rounds) for (PeerRound pr : r) if (pr != null) n += pr.snapshotsSent();
    return n * fp32BytesPerSnapshot;
  }

  /** Bytes per snapshot in the last round (steady state: deltas only, full resyncs of round 1 excluded). */
  public double bytesPerExchange() {
    if (rounds.isEmpty()) return 0;
    long b = 0;
    long n = 0;
    for (PeerRound pr : rounds.get(rounds.size() - 1)) {
      if (pr != null) {
        b += pr.bytesSent();
        n += pr.snapshotsSent();
      }
    }
    return n == 0 ? 0 : (double) b / n;
  }

  public int roundsRun() {
    return rounds.size();
  }
}
