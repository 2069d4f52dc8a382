package dev.ipa.peer.checkpoint;

import dev.ipa.alignment.protocol.GaussianUpdateMechanism;
import dev.ipa.alignment.protocol.ModelState;
import dev.ipa.alignment.protocol.StopRecord;
import dev.ipa.alignment.provenance.ModelProvenance;
import dev.ipa.compression.SnapshotEncoder;
import java.util.List;
import java.util.Objects;

/**
 * Everything a peer needs to continue after round {@link #round} as if it had never stopped: parameters,
 * optimiser and trainer position, the snapshot encoder's error-feedback state, its views of its neighbours,
 * the round history, and provenance. Written by {@link CheckpointStore}.
 *
 * @param provenance what produced it: the same record a packed model carries
 * @param round      the last completed round; the peer resumes at {@code round + 1}
 * @param params     flat parameter vector θ
 * @param moments    Adam moments (m then v)
 * @param iteration  Adam steps taken
 * @param epoch      trainer epoch
 * @param cursor     trainer position in the epoch
 * @param encoder    the snapshot encoder's state
 * @param views      the last snapshot received from each neighbour
 * @param history    one summary per completed round, 0..round, contiguous
 * @param stops      stops recorded so far
 * @param dp         the differential-privacy accountant and last published parameters; null without DP (and in
 *                   checkpoints of format 2 or older)
 * @param consensus  the consensus model after {@code round} (see {@link RoundSummary#consensusTestAccuracy}); null
 *                   where it is {@code params} itself, and in checkpoints of format 3 or older
 * @param track      the strategy's second model (IPA's own model) and its Adam state; null where there is
 *                   none, and in checkpoints of format 4 or older
 */
public record Checkpoint(
    ModelProvenance provenance,
    int round,
    float[] params,
    float[] moments,
    int iteration,
    int epoch,
    int cursor,
    SnapshotEncoder.State encoder,
    List<NeighbourView> views,
    List<RoundSummary> history,
    List<StopRecord> stops,
    GaussianUpdateMechanism.State dp,
    float[] consensus,
    ModelState track) {

  public Checkpoint {
    Objects.requireNonNull(provenance, "provenance");
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(moments, "moments");
    Objects.requireNonNull(encoder, "encoder");
    views = List.copyOf(views);
    history = List.copyOf(history);
    stops = List.copyOf(stops);
    if (history.size() != round + 1) {
      throw new IllegalArgumentException("A checkpoint after round " + round + " must hold " + (round + 1) + " round summaries, got " + history.size() + ".");
    }
    for (int i = 0; i < history.size(); i++) {
      if (history.get(i).round() != i) throw new IllegalArgumentException("The round history is not contiguous: entry " + i + " is round " + history.get(i).round() + ".");
    }
  }

  /** A checkpoint without a second model (format 4). */
  public Checkpoint(ModelProvenance provenance, int round, float[] params, float[] moments, int iteration, int epoch, int cursor,
      SnapshotEncoder.State encoder, List<NeighbourView> views, List<RoundSummary> history, List<StopRecord> stops,
      GaussianUpdateMechanism.State dp, float[] consensus) {
    this(provenance, round, params, moments, iteration, epoch, cursor, encoder, views, history, stops, dp, consensus, null);
  }

  /** A checkpoint of a peer without differential privacy. */
  public Checkpoint(ModelProvenance provenance, int round, float[] params, float[] moments, int iteration, int epoch, int cursor,
      SnapshotEncoder.State encoder, List<NeighbourView> views, List<RoundSummary> history, List<StopRecord> stops) {
    this(provenance, round, params, moments, iteration, epoch, cursor, encoder, views, history, stops, null, null, null);
  }

  /** A neighbour's last snapshot as decoded parameters. */
  public record NeighbourView(String peer, int round, int sync, long sequence, int dataSize, float[] params) {}
}
