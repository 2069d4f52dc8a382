package dev.ipa.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PeerTransport} must do, whatever carries the bytes. A subclass creates a federation of
 * transports (not yet started); this class starts them, runs the protocol-facing checks and closes them.
 *
 * <p>Published in the module's test-jar, so transports elsewhere (and protocol tests) can reuse it.
 */
public abstract class PeerTransportContract {
  protected static final Duration WAIT = Duration.ofSeconds(20);

  private final List<PeerTransport> open = new ArrayList<>();

  /** New, unstarted transports for {@code peerIds}, each able to reach every other one. */
  protected abstract List<PeerTransport> newFederation(List<String> peerIds) throws Exception;

  /** Blocks until started transports can deliver to each other; transports that connect lazily need nothing. */
  protected void awaitReady(List<PeerTransport> started) {}

  /** Called after every transport was closed. */
  protected void afterFederation() throws Exception {}

  @AfterEach
  void closeAll() throws Exception {
    for (PeerTransport t : open) t.close();
    open.clear();
    afterFederation();
  }

  /** Starts a federation of {@code ids} and returns each peer's transport and inbox (which keeps every payload). */
  protected Map<String, Started> startFederation(String... ids) throws Exception {
    return startFederation(RecordingInbox::new, ids);
  }

  /** Starts a federation of {@code ids}, each peer with an inbox from {@code inboxes}. */
  protected Map<String, Started> startFederation(Supplier<RecordingInbox> inboxes, String... ids) throws Exception {
    List<PeerTransport> transports = newFederation(List.of(ids));
    Map<String, Started> out = new LinkedHashMap<>();
    for (PeerTransport t : transports) {
      RecordingInbox inbox = inboxes.get();
      open.add(t);
      t.start(inbox);
      out.put(t.localPeer(), new Started(t, inbox));
    }
    awaitReady(transports);
    return out;
  }

  /** A started transport and the inbox it delivers to. */
  protected record Started(PeerTransport transport, RecordingInbox inbox) {}

  protected static byte[] randomPayload(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void deliversASnapshotIntactToEveryReceiverWithTheSendersId() throws Exception {
    Map<String, Started> f = startFederation("a", "b", "c");
    byte[] payload = randomPayload(100_000, 1);
    f.get("a").transport().publish(new PeerSnapshot("a", 3, 1, 7, 1234, payload), List.of("b", "c"));

    for (String receiver : List.of("b", "c")) {
      RecordingInbox in = f.get(receiver).inbox();
      assertThat(RecordingInbox.await(WAIT, () -> in.snapshots.size() == 1)).as("snapshot reached " + receiver).isTrue();
      PeerSnapshot got = in.snapshots.get(0);
      assertThat(got.peerId()).isEqualTo("a");
      assertThat(got.round()).isEqualTo(3);
      assertThat(got.sync()).isEqualTo(1);
      assertThat(got.sequence()).isEqualTo(7);
      assertThat(got.dataSize()).isEqualTo(1234);
      assertThat(got.payload()).isEqualTo(payload);
    }
    assertThat(f.get("a").inbox().snapshots).as("a publisher does not receive its own snapshot").isEmpty();
  }

  @Test
  void keepsEachSendersOrderWithSnapshotsAndNoticesInterleaved() throws Exception {
    Map<String, Started> f = startFederation("a", "b", "c");
    int n = 60;
    for (int i = 0; i < n; i++) {
      f.get("a").transport().publish(new PeerSnapshot("a", i, 0, i, 10, randomPayload(1000 + i, i)), List.of("c"));
      f.get("b").transport().publish(new PeerSnapshot("b", i, 0, i, 10, randomPayload(10, i)), List.of("c"));
      if (i % 10 == 0) f.get("a").transport().notify(new PeerNotice("a", PeerNotice.Kind.RESYNC_REQUEST, i, "gap"), List.of("c"));
    }
    RecordingInbox c = f.get("c").inbox();
    assertThat(RecordingInbox.await(WAIT, () -> c.snapshots.size() == 2 * n && c.notices.size() == n / 10)).isTrue();
    for (String sender : List.of("a", "b")) {
      assertThat(c.snapshotsFrom(sender)).extracting(PeerSnapshot::sequence)
          .as("per-sender order from " + sender).isSorted().doesNotHaveDuplicates().hasSize(n);
    }
    // Notice i/10 from a comes right after a's snapshot i and before a's snapshot i+1.
    List<Object> fromA = c.messages.stream()
        .filter(m -> m instanceof PeerSnapshot s ? s.peerId().equals("a") : ((PeerNotice) m).from().equals("a")).toList();
    for (int i = 0; i < n; i += 10) {
      long seq = i;
      int at = fromA.indexOf(fromA.stream().filter(m -> m instanceof PeerSnapshot s && s.sequence() == seq).findFirst().orElseThrow());
      assertThat(fromA.get(at + 1)).isInstanceOfSatisfying(PeerNotice.class, x -> assertThat(x.round()).isEqualTo((int) seq));
    }
  }

  @Test
  void aRingStateArrivesWithItsKindAndAModelSnapshotWithItsOwn() throws Exception {
    Map<String, Started> f = startFederation("a", "b");
    byte[] ring = randomPayload(20_000, 5);
    byte[] model = randomPayload(3_000, 6);
    f.get("a").transport().publish(new PeerSnapshot("a", 4, 0, 1, 99, ring, PeerSnapshot.Kind.RING_STATE), List.of("b"));
    f.get("a").transport().publish(new PeerSnapshot("a", 4, 0, 2, 99, model), List.of("b"));
    RecordingInbox b = f.get("b").inbox();
    assertThat(RecordingInbox.await(WAIT, () -> b.snapshots.size() == 2)).isTrue();
    assertThat(b.snapshots).extracting(PeerSnapshot::kind)
        .containsExactly(PeerSnapshot.Kind.RING_STATE, PeerSnapshot.Kind.MODEL);
    assertThat(b.snapshots.get(0).round()).isEqualTo(4);
    assertThat(b.snapshots.get(0).dataSize()).isEqualTo(99);
    assertSamePayload(b.snapshots.get(0).payload(), ring, "ring state payload");
    assertSamePayload(b.snapshots.get(1).payload(), model, "model payload");
  }

  @Test
  void deliversStopAndResyncNoticesWithRoundAndReason() throws Exception {
    Map<String, Started> f = startFederation("a", "b");
    f.get("a").transport().notify(new PeerNotice("a", PeerNotice.Kind.STOP, 12, "early stop: loss plateaued"), List.of("b"));
    f.get("a").transport().notify(new PeerNotice("a", PeerNotice.Kind.RESYNC_REQUEST, 13, "unknown base 41"), List.of("b"));
    RecordingInbox b = f.get("b").inbox();
    assertThat(RecordingInbox.await(WAIT, () -> b.notices.size() == 2)).isTrue();
    assertThat(b.notices).containsExactly(
        new PeerNotice("a", PeerNotice.Kind.STOP, 12, "early stop: loss plateaued"),
        new PeerNotice("a", PeerNotice.Kind.RESYNC_REQUEST, 13, "unknown base 41"));
  }

  @Test
  void deliversPauseAndResumeNoticesWithTheirScope() throws Exception {
    Map<String, Started> f = startFederation("a", "b");
    f.get("a").transport().notify(new PeerNotice("a", PeerNotice.Kind.PAUSE, 7, PeerNotice.FEDERATION), List.of("b"));
    f.get("a").transport().notify(new PeerNotice("a", PeerNotice.Kind.RESUME, 7, PeerNotice.PEER), List.of("b"));
    RecordingInbox b = f.get("b").inbox();
    assertThat(RecordingInbox.await(WAIT, () -> b.notices.size() == 2)).isTrue();
    assertThat(b.notices).containsExactly(
        new PeerNotice("a", PeerNotice.Kind.PAUSE, 7, PeerNotice.FEDERATION),
        new PeerNotice("a", PeerNotice.Kind.RESUME, 7, PeerNotice.PEER));
  }

  @Test
  void linksCountTrafficAndTheLastRoundReceived() throws Exception {
    Map<String, Started> f = startFederation("a", "b");
    f.get("a").transport().publish(new PeerSnapshot("a", 5, 0, 1, 1, randomPayload(5000, 3)), List.of("b"));
    f.get("a").transport().publish(new PeerSnapshot("a", 6, 0, 2, 1, randomPayload(5000, 4)), List.of("b"));
    RecordingInbox b = f.get("b").inbox();
    assertThat(RecordingInbox.await(WAIT, () -> b.snapshots.size() == 2)).isTrue();
    assertThat(RecordingInbox.await(WAIT, () -> f.get("b").transport().links().containsKey("a"))).isTrue();

    LinkState atB = f.get("b").transport().links().get("a");
    assertThat(atB.connected()).isTrue();
    assertThat(atB.bytesIn()).isGreaterThanOrEqualTo(10_000);
    assertThat(atB.lastRoundReceived()).isEqualTo(6);
    assertThat(atB.lastSeen()).isNotNull();
    LinkState atA = f.get("a").transport().links().get("b");
    assertThat(atA.bytesOut()).isGreaterThanOrEqualTo(10_000);
  }

  @Test
  void publishingToAnAbsentPeerNeitherThrowsNorDisturbsOthers() throws Exception {
    Map<String, Started> f = startFederation("a", "b");
    PeerSnapshot s = new PeerSnapshot("a", 0, 0, 1, 1, new byte[] {1, 2, 3});
    assertThatCode(() -> f.get("a").transport().publish(s, List.of("nobody", "b"))).doesNotThrowAnyException();
    assertThatCode(() -> f.get("a").transport().notify(new PeerNotice("a", PeerNotice.Kind.STOP, 0, "x"), List.of("nobody")))
        .doesNotThrowAnyException();
    assertThat(RecordingInbox.await(WAIT, () -> f.get("b").inbox().snapshots.size() == 1)).isTrue();

    f.get("b").transport().close();
    assertThatCode(() -> f.get("a").transport().publish(s, List.of("b"))).doesNotThrowAnyException();
  }

  @Test
  void closeIsIdempotentAndStopsDelivery() throws Exception {
    Map<String, Started> f = startFederation("a", "b");
    f.get("b").transport().close();
    assertThatCode(() -> f.get("b").transport().close()).doesNotThrowAnyException();
    f.get("a").transport().close();
    assertThatCode(() -> f.get("a").transport().publish(new PeerSnapshot("a", 0, 0, 1, 1, new byte[1]), List.of("b")))
        .doesNotThrowAnyException();
    Thread.sleep(200);
    assertThat(f.get("b").inbox().snapshots).isEmpty();
  }

  @Test
  void anEmptyPayloadIsDelivered() throws Exception {
    Map<String, Started> f = startFederation("a", "b");
    f.get("a").transport().publish(new PeerSnapshot("a", 0, 0, 1, 0, new byte[0]), List.of("b"));
    assertThat(RecordingInbox.await(WAIT, () -> f.get("b").inbox().snapshots.size() == 1)).isTrue();
    assertThat(f.get("b").inbox().snapshots.get(0).payload()).isEmpty();
  }

  /** Sizes that repeat and change, empty included: the cases a transport reusing receive arrays must get right. */
  private static final int[] MIXED_SIZES = {70_000, 70_000, 3_000, 70_000, 0, 70_000, 70_000, 3_000};

  @Test
  void anInboxThatReleasesPayloadsGetsEverySnapshotIntactOneAtATimeAndInABurst() throws Exception {
    Map<String, Started> f = startFederation(RecordingInbox::releasing, "a", "b");
    RecordingInbox b = f.get("b").inbox();
    List<byte[]> sent = new ArrayList<>();
    // One at a time: each payload is released before the next snapshot arrives, so it can be received into it.
    for (int i = 0; i < MIXED_SIZES.length; i++) {
      sent.add(publish(f.get("a").transport(), i, randomPayload(MIXED_SIZES[i], 100 + i)));
      int n = i + 1;
      assertThat(RecordingInbox.await(WAIT, () -> b.snapshots.size() == n)).as("snapshot " + i + " arrived").isTrue();
    }
    // A burst: releases race with the arrival of the next snapshots.
    for (int i = 0; i < MIXED_SIZES.length; i++) {
      sent.add(publish(f.get("a").transport(), MIXED_SIZES.length + i, randomPayload(MIXED_SIZES[i], 200 + i)));
    }
    assertThat(RecordingInbox.await(WAIT, () -> b.snapshots.size() == sent.size())).isTrue();
    for (int i = 0; i < sent.size(); i++) {
      assertThat(b.snapshots.get(i).sequence()).isEqualTo(i);
      assertSamePayload(b.snapshots.get(i).payload(), sent.get(i), "payload of snapshot " + i);
    }
  }

  @Test
  void payloadsAnInboxKeepsAreNeverReusedForLaterSnapshots() throws Exception {
    Map<String, Started> f = startFederation("a", "b");
    RecordingInbox b = f.get("b").inbox();
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      sent.add(publish(f.get("a").transport(), i, randomPayload(70_000, 300 + i)));
      int n = i + 1;
      assertThat(RecordingInbox.await(WAIT, () -> b.snapshots.size() == n)).isTrue();
    }
    for (int i = 0; i < sent.size(); i++) {
      assertSamePayload(b.snapshots.get(i).payload(), sent.get(i), "kept payload " + i + " after later snapshots");
    }
  }

  /** Fails with the first differing index (or the shorter length), not a dump of two large arrays. */
  public static void assertSamePayload(byte[] actual, byte[] expected, String what) {
    assertThat(Arrays.mismatch(actual, expected)).as(what + ": first differing byte (-1: none)").isEqualTo(-1);
  }

  /** Publishes {@code payload} from "a" to "b" as snapshot {@code sequence}; returns the payload. */
  private static byte[] publish(PeerTransport a, int sequence, byte[] payload) {
    a.publish(new PeerSnapshot("a", sequence, 0, sequence, 1, payload), List.of("b"));
    return payload;
  }
}
