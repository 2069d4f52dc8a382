package dev.ipa.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipa.transport.LinkState;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.PeerTransportContract;
import dev.ipa.transport.RecordingInbox;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A payload the inbox released is where the next snapshot of the same size from that peer is received. */
class ReceiveArrayReuseTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path dir;
  private final List<NettyTransport> open = new ArrayList<>();
  private NettyTransport a;

  @AfterEach
  void close() {
    open.forEach(NettyTransport::close);
  }

  /** Plaintext transports "a" and "b" with {@code maxSpareBytes}, linked; returns b's releasing inbox. */
  private RecordingInbox link(long maxSpareBytes) throws Exception {
    LoopbackFixture f = new LoopbackFixture(dir, List.of("a", "b"));
    RecordingInbox b = RecordingInbox.releasing();
    for (String id : List.of("a", "b")) {
      NettyTransportConfig c = f.insecure(id);
      NettyTransport t = new NettyTransport(c.withLimits(c.maxFrameBytes(), c.chunkBytes(), c.maxSnapshotBytes(),
          c.maxQueuedSnapshots(), maxSpareBytes));
      open.add(t);
      t.start(id.equals("a") ? RecordingInbox.releasing() : b);
      if (id.equals("a")) a = t;
    }
    assertThat(RecordingInbox.await(WAIT, () -> open.stream().allMatch(t -> t.links().values().stream()
        .allMatch(LinkState::connected)))).isTrue();
    return b;
  }

  /** Sends snapshots of {@code sizes} one at a time, each released before the next; checks every payload. */
  private void sendOneAtATime(RecordingInbox b, int... sizes) {
    for (int i = 0; i < sizes.length; i++) {
      byte[] payload = new byte[sizes[i]];
      new Random(i).nextBytes(payload);
      a.publish(new PeerSnapshot("a", i, 0, i, 1, payload), List.of("b"));
      int n = i + 1;
      assertThat(RecordingInbox.await(WAIT, () -> b.snapshots.size() == n)).as("snapshot " + i + " arrived").isTrue();
      PeerTransportContract.assertSamePayload(b.snapshots.get(i).payload(), payload, "payload of snapshot " + i);
    }
  }

  @Test
  void theNextSnapshotOfTheSameSizeArrivesInTheReleasedArray() throws Exception {
    RecordingInbox b = link(NettyTransportConfig.DEFAULT_MAX_SNAPSHOT_BYTES);
    sendOneAtATime(b, 100_000, 100_000, 5_000, 100_000, 100_000);
    List<byte[]> lent = b.releasedArrays;
    assertThat(lent.get(1)).as("same size as the released #0").isSameAs(lent.get(0));
    assertThat(lent.get(2)).as("another size").isNotSameAs(lent.get(1));
    assertThat(lent.get(3)).as("#2 took the spare's place").isNotSameAs(lent.get(1));
    assertThat(lent.get(4)).isSameAs(lent.get(3));
  }

  @Test
  void payloadsAboveTheSpareCapAreNotKept() throws Exception {
    RecordingInbox b = link(50_000);
    sendOneAtATime(b, 60_000, 60_000, 40_000, 40_000);
    List<byte[]> lent = b.releasedArrays;
    assertThat(lent.get(1)).as("above the cap").isNotSameAs(lent.get(0));
    assertThat(lent.get(3)).as("within the cap").isSameAs(lent.get(2));
  }

  @Test
  void aZeroCapTurnsReuseOff() throws Exception {
    RecordingInbox b = link(0);
    sendOneAtATime(b, 10_000, 10_000);
    assertThat(b.releasedArrays.get(1)).isNotSameAs(b.releasedArrays.get(0));
  }
}
