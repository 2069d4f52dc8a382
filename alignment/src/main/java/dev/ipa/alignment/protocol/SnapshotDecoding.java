package dev.ipa.alignment.protocol;

import dev.ipa.compression.BaseMismatchException;
import dev.ipa.compression.CorruptSnapshotException;
import dev.ipa.compression.SnapshotDecoder;
import dev.ipa.compression.SnapshotFormat;
import dev.ipa.compression.TensorLayout;
import dev.ipa.compression.ViewHash;
import dev.ipa.transport.PeerSnapshot;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns a received snapshot's bytes into the sender's parameters as every receiver holds them.
 *
 * <p>{@link #privateDecoders} is what a real daemon uses: one {@link SnapshotDecoder} per (receiver, sender),
 * owned by the receiving side. {@link #shared} is for in-process simulations over the in-memory network: nothing
 * is decoded at all. The publisher's encoder already holds r, the receivers' view after its publication (error
 * feedback: r ← r + decode(C(θ − r)), computed with the decoder's own arithmetic), and never writes that array
 * again, so {@link #onPublished} keeps it and every receiver gets that same immutable array; N peers keep O(N)
 * views rather than O(N²), and a publication is let go as soon as its last receiver has taken it. Both
 * give the same arrays bit for bit (compression's {@code SnapshotStreamTest} pins encoder view = decoded view for
 * every codec); a receiver that missed a delta sees a gap either way (see {@link PeerViews}).
 *
 * <p>Thread-safety: both implementations may be called from any thread; {@link #decode} is called for one sender's
 * snapshots in publication order (see {@link PeerViews}). Lifecycle: one instance per process (simulation) or per
 * peer (daemon), for as long as the peers run.
 */
public interface SnapshotDecoding {

  /**
   * Called by the publisher for each snapshot it publishes, before any receiver sees it.
   *
   * @param snapshot      what is about to be published
   * @param receivers     how many receivers it goes to (each decodes it at most once), or -1 if not known
   * @param receiversView gives the publisher's encoder view after this publication, the array every receiver
   *                      will hold, which nobody writes any more; only implementations that share views call it,
   *                      once
   */
  default void onPublished(PeerSnapshot snapshot, int receivers, Supplier<float[]> receiversView) {}

  /** {@link #onPublished(PeerSnapshot, int, Supplier)} with the number of receivers not known. */
  default void onPublished(PeerSnapshot snapshot, Supplier<float[]> receiversView) {
    onPublished(snapshot, -1, receiversView);
  }

  /**
   * The sender's parameters after applying {@code snapshot}, which is the next one the receiver accepts from
   * that sender (contiguous, or a full snapshot). The returned array must not be modified.
   */
  float[] decode(String receiver, PeerSnapshot snapshot) throws BaseMismatchException, CorruptSnapshotException;

  /**
   * One decoder per (receiver, sender); for daemons, and for simulations over real sockets, where one instance
   * serves every receiver in the process.
   */
  static SnapshotDecoding privateDecoders(TensorLayout layout) {
    Map<List<String>, SnapshotDecoder> decoders = new HashMap<>();
    return (receiver, s) -> {
      SnapshotDecoder d;
      synchronized (decoders) {
        d = decoders.computeIfAbsent(List.of(receiver, s.peerId()), k -> new SnapshotDecoder(layout));
      }
      synchronized (d) {
        d.apply(s.payload());
        return d.view();
      }
    };
  }

  /**
   * Receivers share the publisher's encoder view of each publication instead of decoding its bytes. For
   * simulations over the in-memory network, where publisher and receivers live in one process.
   */
  static SnapshotDecoding shared(TensorLayout layout) {
    return new SnapshotDecoding() {
      // The last few publications per sender not yet taken by all their receivers: receivers may lag a
      // publication or two behind. Each entry is {view, receivers still to take it (or -1: unknown)}.
      private final Map<String, Map<Long, Object[]>> recent = new HashMap<>();

      @Override
      public void onPublished(PeerSnapshot s, int receivers, Supplier<float[]> receiversView) {
        float[] view = receiversView.get();
        long version = SnapshotFormat.header(s.payload()).version();
        if (view.length != layout.totalLength() || ViewHash.of(view) != version) {
          throw new IllegalStateException("Peer " + s.peerId() + "'s encoder view does not fit the layout or hash to the version its snapshot #"
              + s.sequence() + " names, so receivers would not hold what the bytes say; the publisher's encoder is out of step.");
        }
        synchronized (this) {
          if (receivers == 0) return;
          recent.computeIfAbsent(s.peerId(), k -> new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Object[]> eldest) {
              return size() > 4;
            }
          }).put(s.sequence(), new Object[] {view, new int[] {receivers}});
        }
      }

      @Override
      public synchronized float[] decode(String receiver, PeerSnapshot s) throws CorruptSnapshotException {
        Map<Long, Object[]> m = recent.get(s.peerId());
        Object[] entry = m == null ? null : m.get(s.sequence());
        if (entry == null) {
          throw new CorruptSnapshotException("Snapshot #" + s.sequence() + " of " + s.peerId() + " is no longer held by the shared decoder; the receiver fell more than 4 publications behind.");
        }
        int[] left = (int[]) entry[1];
        if (left[0] > 0 && --left[0] == 0) m.remove(s.sequence());
        return (float[]) entry[0];
      }
    };
  }
}
