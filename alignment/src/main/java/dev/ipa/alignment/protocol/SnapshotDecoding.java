package dev.ipa.alignment.protocol;

import dev.ipa.compression.BaseMismatchException;
import dev.ipa.compression.CorruptSnapshotException;
import dev.ipa.compression.SnapshotDecoder;
import dev.ipa.compression.TensorLayout;
import dev.ipa.transport.PeerSnapshot;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a received snapshot's bytes into the sender's parameters as every receiver holds them.
 *
 * <p>{@link #privateDecoders} is what a real daemon uses: one {@link SnapshotDecoder} per sender, owned by the
 * receiving peer. {@link #shared} is for in-process simulations: each publication is decoded once, when it is
 * published, and every receiver gets the same immutable array, so N peers keep O(N) views rather than O(N²).
 * Both decode the same bytes with the same decoder; a receiver that missed a delta sees a gap either way
 * (see {@link PeerViews}).
 */
public interface SnapshotDecoding {

  /** Called by the publisher for each snapshot it publishes (before any receiver sees it). */
  default void onPublished(PeerSnapshot snapshot) {}

  /**
   * The sender's parameters after applying {@code snapshot}, which is the next one the receiver accepts from
   * that sender (contiguous, or a full snapshot). The returned array must not be modified.
   */
  float[] decode(String receiver, PeerSnapshot snapshot) throws BaseMismatchException, CorruptSnapshotException;

  /** Whether the payload is a full snapshot (applies to any base). */
  static boolean isFull(byte[] payload) {
    // Byte 5 of the compression module's snapshot format is the kind: 1 = FULL, 2 = DELTA.
    return payload.length > 5 && payload[5] == 1;
  }

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

  /** One decoder per sender, fed at publication; receivers share the decoded arrays. For simulations. */
  static SnapshotDecoding shared(TensorLayout layout) {
    return new SnapshotDecoding() {
      private final Map<String, SnapshotDecoder> decoders = new HashMap<>();
      // The last few decoded publications per sender: receivers may lag a publication or two behind.
      private final Map<String, Map<Long, float[]>> recent = new HashMap<>();

      @Override
      public synchronized void onPublished(PeerSnapshot s) {
        SnapshotDecoder d = decoders.computeIfAbsent(s.peerId(), k -> new SnapshotDecoder(layout));
        try {
          d.apply(s.payload());
        } catch (BaseMismatchException | CorruptSnapshotException e) {
          throw new IllegalStateException("A publisher's own stream failed to decode: " + e.getMessage(), e);
        }
        Map<Long, float[]> m = recent.computeIfAbsent(s.peerId(), k -> new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Long, float[]> eldest) {
            return size() > 4;
          }
        });
        m.put(s.sequence(), d.view());
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
