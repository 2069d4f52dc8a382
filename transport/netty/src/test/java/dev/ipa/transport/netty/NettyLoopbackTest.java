package dev.ipa.transport.netty;

import dev.ipa.transport.ModelFingerprint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.transport.LinkState;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.RecordingInbox;
import dev.ipa.transport.RecordingInbox.LinkChange;
import dev.ipa.transport.internal.wire.Frame;
import dev.ipa.transport.internal.wire.Hello;
import dev.ipa.transport.tls.FederationCertificates;
import dev.ipa.transport.tls.TlsFiles;
import dev.ipa.transport.tls.TlsMaterialException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real NettyTransports over 127.0.0.1 with mutual TLS: large transfers, rejections, restarts, insecure mode. */
class NettyLoopbackTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** Federation settings as a daemon sends them in its Hello (issue 16: a mismatch federated without a word). */
  private static final Map<String, String> SETTINGS = Map.of("ipa.federation.lambda", "0.5", "ipa.federation.rounds", "20",
      "ipa.federation.syncs", "4");
  @TempDir Path dir;
  private final List<NettyTransport> open = new ArrayList<>();

  @AfterEach
  void close() {
    open.forEach(NettyTransport::close);
  }

  private RecordingInbox start(NettyTransportConfig config) {
    NettyTransport t = new NettyTransport(config);
    open.add(t);
    RecordingInbox inbox = new RecordingInbox();
    t.start(inbox);
    return inbox;
  }

  private NettyTransport transport(String peer) {
    return open.stream().filter(t -> t.localPeer().equals(peer)).reduce((x, y) -> y).orElseThrow();
  }

  private static boolean connected(NettyTransport t, String peer) {
    LinkState l = t.links().get(peer);
    return l != null && l.connected();
  }

  @Test
  void streamsA50MegabyteSnapshotInChunksIntactAndInOrderToTwoPeers() throws Exception {
    LoopbackFixture f = new LoopbackFixture(dir, List.of("a", "b", "c"));
    // A receiver accepts what its model's layout allows (8 bytes a parameter): a model big enough for 50 MiB.
    ModelFingerprint big7M = new ModelFingerprint("mlp-7M", 7_000_000);
    start(f.secure("a").withFingerprint(big7M));
    RecordingInbox b = start(f.secure("b").withFingerprint(big7M));
    RecordingInbox c = start(f.secure("c").withFingerprint(big7M));
    NettyTransport a = transport("a");
    assertThat(RecordingInbox.await(WAIT, () -> connected(a, "b") && connected(a, "c"))).isTrue();

    byte[] big = new byte[50 << 20];
    new Random(42).nextBytes(big);
    byte[] small = {9, 8, 7};
    a.publish(new PeerSnapshot("a", 1, 0, 1, 60000, big), List.of("b", "c"));
    a.publish(new PeerSnapshot("a", 1, 1, 2, 60000, small), List.of("b", "c"));

    for (RecordingInbox in : List.of(b, c)) {
      assertThat(RecordingInbox.await(WAIT, () -> in.snapshots.size() == 2)).isTrue();
      assertThat(in.snapshots).extracting(PeerSnapshot::sequence).containsExactly(1L, 2L);
      assertThat(in.snapshots.get(0).payload()).isEqualTo(big);
      assertThat(in.snapshots.get(1).payload()).isEqualTo(small);
    }
    // 50 chunks of 1 MiB each went over the wire: more than the payload, framing included.
    assertThat(a.links().get("b").bytesOut()).isGreaterThan(big.length);
  }

  @Test
  void aCertificateFromAnotherCaIsRejectedAndThePeerLivesOn() throws Exception {
    LoopbackFixture f = new LoopbackFixture(dir, List.of("a", "b", "c"));
    FederationCertificates.generate("fed", List.of("c"), dir.resolve("rogue"));
    try (LogCapture log = new LogCapture()) {
      RecordingInbox a = start(f.secure("a"));
      start(f.secure("b"));
      start(new NettyTransportConfig("fed", "c", f.addresses.get("c"), f.addresses,
          TlsFiles.inDirectory(dir.resolve("rogue").resolve("c")), false, LoopbackFixture.MODEL, List.of("raw"),
          4 << 20, 1 << 20, 1 << 30, 4, 1 << 30, Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(5),
          Duration.ofMillis(50), Duration.ofMillis(500), new java.util.TreeMap<>()));
      assertThat(RecordingInbox.await(WAIT, () -> log.anyWarning("TLS handshake with"))).isTrue();
      assertThat(RecordingInbox.await(WAIT, () -> connected(transport("a"), "b"))).isTrue();
      Thread.sleep(500);
      assertThat(connected(transport("a"), "c")).isFalse();
      assertThat(a.linkChanges).doesNotContain(new LinkChange("c", true));
      // The honest pair still works.
      transport("b").publish(new PeerSnapshot("b", 0, 0, 1, 1, new byte[] {1}), List.of("a"));
      assertThat(RecordingInbox.await(WAIT, () -> a.snapshots.size() == 1)).isTrue();
    }
  }

  @Test
  void aPeerNotInTheConfigurationIsRejected() throws Exception {
    LoopbackFixture f = new LoopbackFixture(dir, List.of("a", "b", "x"));
    try (LogCapture log = new LogCapture()) {
      // a and b do not list x; x, signed by the same CA, lists them.
      Map<String, java.net.InetSocketAddress> ab = Map.of("a", f.addresses.get("a"), "b", f.addresses.get("b"));
      RecordingInbox a = start(LoopbackFixture.fast(NettyTransportConfig.secure("fed", "a", f.addresses.get("a"), ab,
          TlsFiles.inDirectory(f.certs.resolve("a")), LoopbackFixture.MODEL)));
      start(f.secure("x"));
      assertThat(RecordingInbox.await(WAIT, () -> log.anyWarning("peer id 'x' is not listed"))).isTrue();
      assertThat(connected(transport("x"), "a")).isFalse();
      assertThat(a.linkChanges).isEmpty();
    }
  }

  @Test
  void aModelFingerprintMismatchIsRejected() throws Exception {
    LoopbackFixture f = new LoopbackFixture(dir, List.of("a", "b"));
    try (LogCapture log = new LogCapture()) {
      RecordingInbox a = start(f.secure("a"));
      RecordingInbox b = start(f.secure("b").withFingerprint(new ModelFingerprint("cnn-mnist", 431_080)));
      assertThat(RecordingInbox.await(WAIT, () -> log.anyWarning("model fingerprint"))).isTrue();
      Thread.sleep(300);
      assertThat(a.linkChanges).isEmpty();
      assertThat(b.linkChanges).isEmpty();
    }
  }

  @Test
  void aRestartedPeerIsRedialedAndReportedUpAgain() throws Exception {
    LoopbackFixture f = new LoopbackFixture(dir, List.of("a", "b"));
    RecordingInbox a = start(f.secure("a"));
    start(f.secure("b"));
    assertThat(RecordingInbox.await(WAIT, () -> a.linkChanges.contains(new LinkChange("b", true)))).isTrue();

    transport("b").close();
    assertThat(RecordingInbox.await(WAIT, () -> a.linkChanges.contains(new LinkChange("b", false)))).isTrue();
    assertThat(connected(transport("a"), "b")).isFalse();

    RecordingInbox b2 = start(f.secure("b"));
    assertThat(RecordingInbox.await(WAIT, () -> a.linkChanges.stream().filter(c -> c.equals(new LinkChange("b", true))).count() == 2))
        .as("a saw b come up a second time").isTrue();
    transport("a").publish(new PeerSnapshot("a", 2, 0, 5, 1, new byte[] {4, 2}), List.of("b"));
    assertThat(RecordingInbox.await(WAIT, () -> b2.snapshots.size() == 1)).isTrue();
  }

  @Test
  void simultaneousDialsSettleOnOneLinkPerPair() throws Exception {
    LoopbackFixture f = new LoopbackFixture(dir, List.of("a", "b", "c"));
    List<RecordingInbox> inboxes = List.of(start(f.secure("a")), start(f.secure("b")), start(f.secure("c")));
    assertThat(RecordingInbox.await(WAIT, () -> open.stream().allMatch(t -> t.links().values().stream().allMatch(LinkState::connected))))
        .isTrue();
    Thread.sleep(500);
    // Each peer saw each neighbour come up exactly once and never go down: no connection was torn down after use.
    for (RecordingInbox in : inboxes) {
      assertThat(in.linkChanges).hasSize(2).allMatch(LinkChange::up);
    }
  }

  @Test
  void insecureModeWorksAndWarns() throws Exception {
    LoopbackFixture f = new LoopbackFixture(dir, List.of("a", "b"));
    try (LogCapture log = new LogCapture()) {
      start(f.insecure("a"));
      RecordingInbox b = start(f.insecure("b"));
      assertThat(log.anyWarning("INSECURE")).isTrue();
      assertThat(RecordingInbox.await(WAIT, () -> connected(transport("a"), "b"))).isTrue();
      transport("a").publish(new PeerSnapshot("a", 0, 0, 1, 1, new byte[3000]), List.of("b"));
      assertThat(RecordingInbox.await(WAIT, () -> b.snapshots.size() == 1)).isTrue();
    }
  }

  @Test
  void aCertificateOfAnotherPeerIsRefusedAtConstruction() throws Exception {
    LoopbackFixture f = new LoopbackFixture(dir, List.of("a", "b"));
    NettyTransportConfig wrong = NettyTransportConfig.secure("fed", "a", f.addresses.get("a"), f.addresses,
        TlsFiles.inDirectory(f.certs.resolve("b")), LoopbackFixture.MODEL);
    assertThatThrownBy(() -> new NettyTransport(wrong)).isInstanceOf(TlsMaterialException.class)
        .hasMessageContaining("names peer 'b', but this peer is 'a'");
  }

  /**
   * A peer that completes the handshake and then never reads: the sender's queue stays bounded (oldest snapshots
   * dropped with a WARN) and the link is closed once nothing could be written for the progress timeout.
   */
  @Test
  void aPeerThatStopsReadingIsBoundedAndThenDisconnected() throws Exception {
    LoopbackFixture f = new LoopbackFixture(dir, List.of("s", "r"));
    try (LogCapture log = new LogCapture()) {
      NettyTransportConfig cfg = f.insecure("s").withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500),
          Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(10));
      RecordingInbox a = start(cfg);
      try (Socket r = new Socket(f.addresses.get("s").getAddress(), f.addresses.get("s").getPort())) {
        r.setReceiveBufferSize(64 * 1024);
        Hello hello = HandshakeHandler.helloOf(f.insecure("r"));
        ByteBuf frame = Unpooled.buffer();
        WireFraming.FrameEncoder.encode(Frame.newBuilder().setHello(hello).build(), frame);
        OutputStream out = r.getOutputStream();
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        out.write(bytes);
        out.flush();
        DataInputStream in = new DataInputStream(r.getInputStream());
        byte[] reply = new byte[in.readInt()];
        in.readFully(reply);
        assertThat(Frame.parseFrom(reply).hasAccept()).isTrue();
        assertThat(RecordingInbox.await(WAIT, () -> a.linkChanges.contains(new LinkChange("r", true)))).isTrue();

        byte[] payload = new byte[8 << 20];
        for (int i = 0; i < 12; i++) transport("s").publish(new PeerSnapshot("s", i, 0, i, 1, payload), List.of("r"));
        assertThat(RecordingInbox.await(WAIT, () -> log.anyWarning("is not keeping up"))).isTrue();
        assertThat(RecordingInbox.await(WAIT, () -> a.linkChanges.contains(new LinkChange("r", false))))
            .as("the stuck reader was disconnected").isTrue();
        assertThat(log.anyWarning("stopped reading")).isTrue();
      }
    }
  }

  @Test
  void differentSettingsAreRefusedNamingTheFirstDifferingKeyOnBothSides() throws Exception {
    LoopbackFixture f = new LoopbackFixture(dir, List.of("a", "b"));
    Map<String, String> theirs = new java.util.TreeMap<>(SETTINGS);
    theirs.put("ipa.federation.lambda", "5.0");
    theirs.put("ipa.federation.syncs", "1"); // a later key differs too; the sentence names the first
    try (LogCapture log = new LogCapture()) {
      RecordingInbox a = start(f.secure("a").withSettings(SETTINGS));
      RecordingInbox b = start(f.secure("b").withSettings(theirs));
      // a checks b's Hello (b dialed a) and b checks a's (a dialed b): each refuses, in the same terms.
      String atA = "Peer b's federation settings differ from peer a's at ipa.federation.lambda: a has 0.5, b has 5.0; "
          + "make them equal on every peer";
      String atB = "Peer a's federation settings differ from peer b's at ipa.federation.lambda: b has 5.0, a has 0.5; "
          + "make them equal on every peer";
      assertThat(RecordingInbox.await(WAIT, () -> log.anyWarning(atA) && log.anyWarning(atB))).isTrue();
      // The dialer is told why, in the rejection it logs (a dials b, b dials a).
      assertThat(RecordingInbox.await(WAIT, () -> log.anyWarning("Peer b rejected the connection: " + atB)
          || log.anyWarning("Peer a rejected the connection: " + atA))).isTrue();
      assertThat(a.linkChanges).isEmpty();
      assertThat(b.linkChanges).isEmpty();
    }
  }

  @Test
  void aSettingOnlyOneSideHasIsNamedToo() throws Exception {
    LoopbackFixture f = new LoopbackFixture(dir, List.of("a", "b"));
    Map<String, String> more = new java.util.TreeMap<>(SETTINGS);
    more.put("ipa.federation.early-stop", "target:0.8");
    try (LogCapture log = new LogCapture()) {
      start(f.secure("a").withSettings(SETTINGS));
      start(f.secure("b").withSettings(more));
      assertThat(RecordingInbox.await(WAIT, () -> log.anyWarning(
          "at ipa.federation.early-stop: a has no value, b has target:0.8; make them equal on every peer"))).isTrue();
    }
  }

  @Test
  void equalSettingsFederate() throws Exception {
    LoopbackFixture f = new LoopbackFixture(dir, List.of("a", "b"));
    RecordingInbox a = start(f.secure("a").withSettings(SETTINGS));
    RecordingInbox b = start(f.secure("b").withSettings(new java.util.TreeMap<>(SETTINGS)));
    NettyTransport ta = transport("a");
    assertThat(RecordingInbox.await(WAIT, () -> connected(ta, "b"))).isTrue();
    ta.publish(new PeerSnapshot("a", 0, 0, 1, 100, new byte[] {7}), List.of("b"));
    assertThat(RecordingInbox.await(WAIT, () -> b.snapshots.size() == 1)).isTrue();
    assertThat(a.linkChanges).contains(new LinkChange("b", true));
  }
}
