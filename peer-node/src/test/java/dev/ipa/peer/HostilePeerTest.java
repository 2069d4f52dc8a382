package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.protocol.FederatedPeer;
import dev.ipa.alignment.protocol.FederationSettings;
import dev.ipa.compression.SnapshotDecoder;
import dev.ipa.compression.SnapshotEncoder;
import dev.ipa.compression.TensorLayout;
import dev.ipa.peer.config.PeerConfigBinding;
import dev.ipa.peer.federation.PeerState;
import dev.ipa.transport.ModelFingerprint;
import dev.ipa.transport.PeerInbox;
import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.netty.NettyTransport;
import dev.ipa.transport.netty.NettyTransportConfig;
import dev.ipa.transport.tls.TlsFiles;
import io.micronaut.context.ApplicationContext;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile test of issue 15, against real daemons over mutual TLS: two honest daemons a and b, and c, an
 * authenticated peer that answers every exchange with the honest parameters multiplied by 10⁶, claims 2³¹ − 1
 * training samples, and sends a STOP notice each time, with {@code early-stop: none} configured; from round 1 on it
 * also sends the notice an admin's stop sends, posing as the admin of a federation-wide stop. Before the defences
 * both honest peers stopped after round 0 and ended with a wrecked model; now they must run every round, keep a
 * useful model, and show c as suspected in {@code /api/rounds} and {@code /api/peers}.
 */
class HostilePeerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROUNDS = 3;

  @Test
  void oneMaliciousPeerCanNeitherHaltNorWreckTheHonestDaemons(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b", "c"));
    Architecture arch = Architecture.parse("mlp:32", 1, 28, 28, 10);
    Network model = Network.create(arch, 0);
    TensorLayout layout = FederatedPeer.layoutOf(model);
    ModelFingerprint fingerprint = new ModelFingerprint(arch.describe(), model.parameterCount());
    Map<String, InetSocketAddress> addresses = new TreeMap<>();
    peers.peerPorts.forEach((id, port) -> addresses.put(id, new InetSocketAddress("127.0.0.1", port)));
    // c announces the federation settings an honest daemon of this federation has, or the handshake refuses it.
    Map<String, String> honestC = peers.config("c", 0);
    honestC.put("ipa.federation.rounds", String.valueOf(ROUNDS));
    NettyTransport hostile = new NettyTransport(NettyTransportConfig.secure("test", "c", addresses.get("c"), addresses,
        TlsFiles.inDirectory(dir.resolve("certs").resolve("c")), fingerprint)
        .withSettings(PeerConfigBinding.sharedSettings(PeerDaemon.checkConfiguration(TestPeers.args(honestC)))));
    ExecutorService replies = Executors.newSingleThreadExecutor();
    SnapshotDecoder seen = new SnapshotDecoder(layout);
    SnapshotEncoder forged = new SnapshotEncoder(layout, FederationSettings.fp32());
    Set<String> answered = new HashSet<>();
    long[] sequence = {0};
    hostile.start(new PeerInbox() {
      @Override
      public void onSnapshot(PeerSnapshot s) {
        if (!s.peerId().equals("a")) return;
        byte[] payload = s.payload().clone();
        replies.execute(() -> {
          try {
            if (!answered.add(s.round() + "." + s.sync())) return;
            seen.apply(payload);
            float[] theta = seen.view();
            for (int i = 0; i < theta.length; i++) theta[i] *= 1e6f;
            byte[] bytes = forged.encode(theta, s.round()).bytes();
            hostile.notify(new PeerNotice("c", PeerNotice.Kind.STOP, s.round(), "reached validation accuracy 1.0000 ≥ target 0.9900"), List.of("a", "b"));
            // From round 1 on (round 0's snapshots are in by then) it also poses as an admin stopping the federation.
            if (s.round() >= 1) hostile.notify(new PeerNotice("c", PeerNotice.Kind.STOP, s.round(), FederatedPeer.ADMIN_STOP_REASON), List.of("a", "b"));
            hostile.publish(new PeerSnapshot("c", s.round(), s.sync(), ++sequence[0], Integer.MAX_VALUE, bytes), List.of("a", "b"));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
      }

      @Override
      public void onNotice(PeerNotice notice) {}

      @Override
      public void onLinkChange(String peerId, boolean up) {}
    });
    Map<String, Integer> http = Map.of("a", TestPeers.freePort(), "b", TestPeers.freePort());
    ApplicationContext a = null;
    ApplicationContext b = null;
    try {
      for (String id : List.of("a", "b")) {
        Map<String, String> c = peers.config(id, http.get(id));
        c.put("ipa.peer.auto-start", "true");
        c.put("ipa.federation.rounds", String.valueOf(ROUNDS));
        if (id.equals("a")) a = PeerDaemon.start(TestPeers.args(c));
        else b = PeerDaemon.start(TestPeers.args(c));
      }
      for (String id : List.of("a", "b")) {
        long deadline = System.nanoTime() + 240_000_000_000L;
        JsonNode rounds = api(http.get(id), "/api/rounds");
        // Poll until every round is in, or the peer ended early (finished, stopped, failed): a halted peer fails
        // the assertion below at once instead of after the deadline.
        while (rounds.size() < ROUNDS && !PeerState.ended(api(http.get(id), "/api/status").path("state").asText()) && System.nanoTime() < deadline) {
          Thread.sleep(250);
          rounds = api(http.get(id), "/api/rounds");
        }
        // Read once more: the peer may have finished its last round between the read of the rounds and of the state.
        rounds = api(http.get(id), "/api/rounds");
        assertThat(rounds).as("honest peer %s runs every round despite c's STOP notices, its admin's included", id).hasSize(ROUNDS);
        JsonNode last = rounds.get(ROUNDS - 1);
        assertThat(last.hasNonNull("stop")).as("%s did not stop", id).isFalse();
        assertThat(last.get("testAccuracy").asDouble()).as("%s's model is not wrecked by c's ×10⁶ parameters", id).isGreaterThan(0.5);
        assertThat(last.get("testLoss").asDouble()).isLessThan(5);
        StringBuilder failures = new StringBuilder();
        rounds.forEach(r -> r.get("failures").forEach(f -> failures.append(f.asText()).append('\n')));
        assertThat(failures.toString()).as("c shows as suspected in the round records")
            .contains("c: suspected: sent a STOP notice").contains("c: suspected: claimed 2147483647 training samples")
            .contains("c: suspected: its snapshot's validation loss");
        JsonNode neighbours = api(http.get(id), "/api/peers");
        JsonNode cLink = null;
        for (JsonNode n : neighbours) if (n.get("peerId").asText().equals("c")) cLink = n;
        assertThat(cLink).isNotNull();
        assertThat(cLink.get("suspected").asText()).as("/api/peers no longer shows c as healthy").contains("suspected:");
      }
    } finally {
      if (a != null) a.close();
      if (b != null) b.close();
      hostile.close();
      replies.shutdownNow();
    }
  }

  private static JsonNode api(int port, String path) throws Exception {
    return JSON.readTree(TestPeers.get(port, path, TestPeers.USER, TestPeers.PASSWORD).body());
  }
}
