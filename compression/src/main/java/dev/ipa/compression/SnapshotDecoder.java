package dev.ipa.compression;

import java.util.Objects;

/**
 * The receiving end of one sender's stream: holds that sender's parameters as the sender's
 * {@link SnapshotEncoder} believes every receiver holds them, bit for bit. A FULL message replaces the view; a
 * DELTA adds to it, but only if it names the version this decoder holds.
 *
 * <p>Lifecycle: construct with the sender's layout, then {@link #apply} every message in order. On
 * {@link BaseMismatchException} or {@link CorruptSnapshotException} the view is left as it was; ask the sender for
 * a full snapshot, which always resets this decoder. After applying, the decoder recomputes the view's
 * {@link ViewHash} and checks it against the version the sender wrote, so a receiver never silently drifts.
 *
 * <p>Not thread-safe: one decoder per sender, driven by one thread at a time. {@link #view()} returns a copy.
 */
public final class SnapshotDecoder {

  /**
   * A decoder's state for a checkpoint.
   *
   * @param view    the held view, or null when none; copied
   * @param version its {@link ViewHash} (0 when null)
   * @param round   round of the last applied message, -1 when none
   */
  public record State(float[] view, long version, int round) {
    public State {
      view = view == null ? null : view.clone();
    }

    @Override
    public float[] view() {
      return view == null ? null : view.clone();
    }
  }

  private final TensorLayout layout;
  private final long fingerprint;
  private float[] view;
  private float[] spare;
  private long version;
  private int round = -1;

  public SnapshotDecoder(TensorLayout layout) {
    this.layout = Objects.requireNonNull(layout, "A decoder needs a tensor layout.");
    this.fingerprint = layout.fingerprint();
  }

  /**
   * The one definition of how a decoded delta is added, used by both ends so their views stay bit-identical:
   * {@code out[i] = base[i] + delta[i]} in IEEE-754 binary32 (Java float arithmetic is strict since 17).
   */
  static void addDelta(float[] base, float[] delta, float[] out) {
    for (int i = 0; i < out.length; i++) {
      out[i] = base[i] + delta[i];
    }
  }

  /**
   * Applies one message.
   *
   * @throws CorruptSnapshotException if the message is damaged, truncated, for another layout, or would produce a
   *     view whose hash is not the one the sender wrote
   * @throws BaseMismatchException if it is a delta against a version this decoder does not hold
   */
  public void apply(byte[] message) throws CorruptSnapshotException, BaseMismatchException {
    SnapshotFormat.Parsed header = SnapshotFormat.parse(message, layout, fingerprint);
    if (header.kind() == SnapshotKind.DELTA && (view == null || header.baseVersion() != version)) {
      throw new BaseMismatchException("The delta of round " + header.round() + " applies to version "
          + Long.toHexString(header.baseVersion()) + " (round " + header.baseRound() + "), but this receiver holds "
          + (view == null ? "no view" : "version " + Long.toHexString(version) + " (round " + round + ")")
          + "; ask the sender for a full snapshot.", header.baseVersion(), version);
    }
    if (spare == null) {
      spare = new float[layout.totalLength()];
    }
    for (int i = 0; i < layout.size(); i++) {
      TensorLayout.Tensor t = layout.tensor(i);
      Codecs.of(header.codecs()[i])
          .decode(message, header.payloadOffsets()[i], header.payloadLengths()[i], spare, t.offset(), t.length());
    }
    if (header.kind() == SnapshotKind.DELTA) {
      addDelta(view, spare, spare);
    }
    long decodedVersion = ViewHash.of(spare);
    if (decodedVersion != header.version()) {
      throw new CorruptSnapshotException("Applying the " + header.kind() + " of round " + header.round()
          + " gives version " + Long.toHexString(decodedVersion) + ", but the sender's view has version "
          + Long.toHexString(header.version()) + "; ask the sender for a full snapshot.");
    }
    float[] previous = view;
    view = spare;
    spare = previous;
    version = decodedVersion;
    round = header.round();
  }

  /** True once a full snapshot has been applied. */
  public boolean hasView() {
    return view != null;
  }

  /**
   * A fresh copy of the held view.
   *
   * @throws IllegalStateException if no full snapshot has been applied yet
   */
  public float[] view() {
    requireView();
    return view.clone();
  }

  /** Copies the held view into {@code dst}, which must have the layout's length; avoids an allocation. */
  public void copyViewInto(float[] dst) {
    requireView();
    layout.requireCovers(dst, "The destination");
    System.arraycopy(view, 0, dst, 0, view.length);
  }

  private void requireView() {
    if (view == null) {
      throw new IllegalStateException("This decoder holds no view yet: apply a full snapshot first.");
    }
  }

  /** {@link ViewHash} of the held view; 0 when none. */
  public long version() {
    return version;
  }

  /** Round of the last applied message; -1 when none. */
  public int round() {
    return round;
  }

  public TensorLayout layout() {
    return layout;
  }

  /** A copy of this decoder's state, for a checkpoint. */
  public State exportState() {
    return new State(view, version, round);
  }

  /**
   * Replaces this decoder's state with a checkpointed one.
   *
   * @throws IllegalArgumentException if the view does not fit the layout or does not hash to its version
   */
  public void restore(State state) {
    Objects.requireNonNull(state, "A state to restore must not be null.");
    float[] restored = state.view();
    if (restored != null) {
      layout.requireCovers(restored, "The checkpointed view");
      if (ViewHash.of(restored) != state.version()) {
        throw new IllegalArgumentException("The checkpointed view does not hash to its recorded version "
            + Long.toHexString(state.version()) + ", so the checkpoint is damaged.");
      }
    }
    view = restored;
    version = restored == null ? 0 : state.version();
    round = state.round();
  }
}
