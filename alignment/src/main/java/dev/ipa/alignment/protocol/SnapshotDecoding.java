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
 * feedback: r ← r + decode(C(θ − r)), computed with the decoder's own arithmetic), so {@link #onPublished} keeps a
 * copy of it and every receiver gets that same immutable array; N peers keep O(N) views rather than O(N²). Both
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
   * @param receiversView gives a fresh copy of the publisher's encoder view after this publication (the array
   *                      every receiver will hold); only implementations that share views call it, once
   */
  default void onPublished(PeerSnapshot snapshot, Supplier<float[]> receiversView) {}

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
      // The last few publications per sender: receivers may lag a publication or two behind.
      private final Map<String, Map<Long, float[]>> recent = new HashMap<>();

      @Override
      public void onPublished(PeerSnapshot s, Supplier<float[]> receiversView) {
        // A copy, once per publication: the encoder goes on to add the next delta into its own array.
        float[] view = receiversView.get();
        long version = SnapshotFormat.header(s.payload()).version();
        if (view.length != layout.totalLength() || ViewHash.of(view) != version) {
          throw new IllegalStateException("Peer " + s.peerId() + "'s encoder view does not fit the layout or hash to the version its snapshot #"
              + s.sequence() + " names, so receivers would not hold what the bytes say; the publisher's encoder is out of step.");
        }
        synchronized (this) {
          recent.computeIfAbsent(s.peerId(), k -> new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, float[]> eldest) {
              return size() > 4;
            }
          }).put(s.sequence(), view);
        }
      }

      @Override
      public synchronized float[] decode(String receiver, PeerSnapshot s) throws CorruptSnapshotException {
        Map<Long, float[]> m = recent.get(s.peerId());
        float[] v = m == null ? null : m.get(s.sequence());
        if (v == null) {
          throw new CorruptSnapshotException("Snapshot #" + s.sequence() + " of " + s.peerId() + " is no longer held by the shared decoder; the receiver fell more than 4 publications behind.");
        }
        return v;
      }
    };
  }
}
