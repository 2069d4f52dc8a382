package dev.ipa.compression;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Objects;

/**
 * The sending end of one outgoing parameter stream (a stream is broadcast to all neighbours, so one encoder
 * serves them all). It keeps r, the view every receiver holds of this peer's parameters, and each exchange sends
 * C(θ − r) and then sets r ← r + decode(C(θ − r)). Whatever the codec lost this round is still in θ − r next
 * round: this is error feedback (Seide et al. 2014; Karimireddy et al., "Error Feedback Fixes SignSGD", 2019),
 * and it is why even 1-bit codecs converge to θ when θ stops moving.
 *
 * <p>Lifecycle: construct, then {@link #encode} once per exchange. The first exchange, every
 * {@code fullResyncEvery}-th one, and the one after {@link #requestFullResync()} send a FULL snapshot that
 * re-anchors every receiver; the others send DELTAs naming the version of r they apply to. For a checkpoint,
 * {@link #exportState()} and later {@link #restore(State)} on an encoder built with the same layout and policy.
 *
 * <p>Not thread-safe: one encoder belongs to one stream and is driven by one thread at a time.
 */
public final class SnapshotEncoder {

  /**
   * Everything a checkpoint must keep so a restarted daemon continues the same stream.
   *
   * @param receiversView      r, or null before the first exchange; copied on export and restore
   * @param version            {@link ViewHash} of r (0 when null)
   * @param round              round of the last exchange, -1 before the first
   * @param deltasSinceFull    deltas sent since the last full snapshot
   * @param fullResyncRequested whether the next exchange must be full
   */
  public record State(float[] receiversView, long version, int round, int deltasSinceFull,
      boolean fullResyncRequested) {
    public State {
      if (deltasSinceFull < 0) {
        throw new IllegalArgumentException("deltasSinceFull must be ≥ 0, got " + deltasSinceFull + ".");
      }
      if (round < -1) {
        throw new IllegalArgumentException("A state's round must be ≥ -1, got " + round + ".");
      }
      receiversView = receiversView == null ? null : receiversView.clone();
    }

    /** A copy of r, or null. */
    @Override
    public float[] receiversView() {
      return receiversView == null ? null : receiversView.clone();
    }
  }

  private final TensorLayout layout;
  private final CodecPolicy policy;
  private final long fingerprint;
  private final Codec[] deltaCodecs;
  private final Codec fullCodec;
  private float[] scratch; // θ − r and its decoded delta; allocated by the first delta (full-only streams never need it)
  private float[] view; // r: a new array per exchange, never written once made, so receivers may share it (publishedView)
  private long version;
  private int round = -1;
  private int deltasSinceFull;
  private boolean fullResyncRequested;
  private static final byte[] EMPTY = new byte[0];
  private byte[] buffer = EMPTY;

  public SnapshotEncoder(TensorLayout layout, CodecPolicy policy) {
    this.layout = Objects.requireNonNull(layout, "An encoder needs a tensor layout.");
    this.policy = Objects.requireNonNull(policy, "An encoder needs a codec policy.");
    this.fingerprint = layout.fingerprint();
    this.deltaCodecs = new Codec[layout.size()];
    for (int i = 0; i < deltaCodecs.length; i++) {
      deltaCodecs[i] = Codecs.of(policy.codecFor(layout.tensor(i).length()));
    }
    this.fullCodec = Codecs.of(policy.fullSnapshotCodec());
  }

  /**
   * Encodes θ for this exchange and advances r as every receiver will.
   *
   * @param theta the current flat parameters; read, never kept
   * @param round the current round, ≥ 0 and never below the previous call's
   * @throws NonFiniteValueException if θ holds NaN or ±Inf; the message names the tensor and index, and the
   *     encoder's state is unchanged
   */
  public EncodedSnapshot encode(float[] theta, int round) throws NonFiniteValueException {
    layout.requireCovers(theta, "theta");
    if (round < 0 || round < this.round) {
      throw new IllegalArgumentException("Rounds must be ≥ 0 and never decrease: got " + round + " after "
          + this.round + ".");
    }
    for (TensorLayout.Tensor t : layout.tensors()) {
      Finite.require(t.name(), theta, t.offset(), t.length());
    }
    int k = policy.fullResyncEvery();
    boolean full = view == null || fullResyncRequested || (k > 0 && deltasSinceFull + 1 >= k);
    return full ? encodeFull(theta, round) : encodeDelta(theta, round);
  }

  private EncodedSnapshot encodeFull(float[] theta, int round) {
    int tensors = layout.size();
    var codecs = new Codec[tensors];
    Arrays.fill(codecs, fullCodec);
    int length = writePayloads(theta, codecs);
    float[] next = new float[theta.length];
    decodePayloads(codecs, next);
    long nextVersion = ViewHash.of(next);
    EncodedSnapshot out = seal(SnapshotKind.FULL, round, -1, 0L, nextVersion, codecs, length);
    view = next;
    version = nextVersion;
    this.round = round;
    deltasSinceFull = 0;
    fullResyncRequested = false;
    return out;
  }

  private EncodedSnapshot encodeDelta(float[] theta, int round) {
    if (scratch == null) scratch = new float[layout.totalLength()];
    for (int i = 0; i < theta.length; i++) {
      scratch[i] = theta[i] - view[i];
    }
    int length = writePayloads(scratch, deltaCodecs);
    decodePayloads(deltaCodecs, scratch);
    float[] next = new float[view.length];
    SnapshotDecoder.addDelta(view, scratch, next);
    view = next;
    long base = version;
    version = ViewHash.of(view);
    EncodedSnapshot out = seal(SnapshotKind.DELTA, round, this.round, base, version, deltaCodecs, length);
    this.round = round;
    deltasSinceFull++;
    return out;
  }

  /** Writes the tensor table entries and payloads of {@code values}; returns the length so far. */
  private int writePayloads(float[] values, Codec[] codecs) {
    int tensors = layout.size();
    long capacity = SnapshotFormat.payloadsStart(tensors) + SnapshotFormat.CHECKSUM_BYTES;
    for (int i = 0; i < tensors; i++) {
      capacity += codecs[i].maxEncodedSize(layout.tensor(i).length());
    }
    if (capacity > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("A snapshot of this layout would not fit in one byte array.");
    }
    // A new buffer per snapshot, handed out as the snapshot's bytes when it is filled exactly (fp32 full
    // snapshots are): an encoder keeps no 4·P-byte buffer between exchanges and makes no copy.
    buffer = new byte[(int) capacity];
    int at = SnapshotFormat.payloadsStart(tensors);
    for (int i = 0; i < tensors; i++) {
      TensorLayout.Tensor t = layout.tensor(i);
      int written = codecs[i].encode(t.name(), values, t.offset(), t.length(), buffer, at);
      SnapshotFormat.writeEntry(buffer, i, codecs[i].spec(), t.length(), written);
      at += written;
    }
    return at;
  }

  /** Decodes the payloads just written, exactly as a receiver will, into {@code out}. */
  private void decodePayloads(Codec[] codecs, float[] out) {
    int at = SnapshotFormat.payloadsStart(layout.size());
    for (int i = 0; i < codecs.length; i++) {
      TensorLayout.Tensor t = layout.tensor(i);
      int length = LittleEndian.getInt(buffer, SnapshotFormat.HEADER_BYTES + SnapshotFormat.ENTRY_BYTES * i + 9);
      codecs[i].decode(buffer, at, length, out, t.offset(), t.length());
      at += length;
    }
  }

  private EncodedSnapshot seal(SnapshotKind kind, int round, int baseRound, long base, long next, Codec[] codecs,
      int length) {
    SnapshotFormat.writeHeader(buffer, kind, round, baseRound, base, next, fingerprint, layout.size());
    int total = SnapshotFormat.seal(buffer, length);
    var reports = new ArrayList<TensorReport>(codecs.length);
    for (int i = 0; i < codecs.length; i++) {
      TensorLayout.Tensor t = layout.tensor(i);
      int bytes = LittleEndian.getInt(buffer, SnapshotFormat.HEADER_BYTES + SnapshotFormat.ENTRY_BYTES * i + 9);
      reports.add(new TensorReport(t.name(), t.length(), codecs[i].spec(), bytes));
    }
    byte[] bytes = total == buffer.length ? buffer : Arrays.copyOf(buffer, total);
    buffer = EMPTY;
    return new EncodedSnapshot(bytes, kind, round, base, next, reports);
  }

  /** Makes the next {@link #encode} send a full snapshot, e.g. after a receiver reported a base mismatch. */
  public void requestFullResync() {
    fullResyncRequested = true;
  }

  /** A copy of r, the view every receiver holds after the last exchange; null before the first. */
  public float[] receiversView() {
    return view == null ? null : view.clone();
  }

  /**
   * r itself, not a copy: the encoder never writes an array once it is r (each exchange makes a new one), so
   * receivers in the same process can share it instead of each holding a copy. Callers must not modify it.
   * Null before the first exchange.
   */
  public float[] publishedView() {
    return view;
  }

  /** Version of r ({@link ViewHash}); 0 before the first exchange. */
  public long version() {
    return version;
  }

  /** Round of the last exchange; -1 before the first. */
  public int round() {
    return round;
  }

  public TensorLayout layout() {
    return layout;
  }

  public CodecPolicy policy() {
    return policy;
  }

  /** A copy of the error-feedback state, for a checkpoint. */
  public State exportState() {
    return new State(view, version, round, deltasSinceFull, fullResyncRequested);
  }

  /**
   * Replaces this encoder's state with a checkpointed one.
   *
   * @throws IllegalArgumentException if the view does not fit the layout or its hash is not the stored version
   */
  public void restore(State state) {
    Objects.requireNonNull(state, "A state to restore must not be null.");
    float[] restored = state.receiversView();
    if (restored != null) {
      layout.requireCovers(restored, "The checkpointed view");
      if (ViewHash.of(restored) != state.version()) {
        throw new IllegalArgumentException("The checkpointed view does not hash to its recorded version "
            + Long.toHexString(state.version()) + ", so the checkpoint is damaged.");
      }
    } else if (state.version() != 0) {
      throw new IllegalArgumentException("A checkpoint without a view must have version 0.");
    }
    view = restored;
    version = state.version();
    round = state.round();
    deltasSinceFull = state.deltasSinceFull();
    fullResyncRequested = state.fullResyncRequested();
  }
}
