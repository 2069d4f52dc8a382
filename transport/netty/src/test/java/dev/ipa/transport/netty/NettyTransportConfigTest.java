package dev.ipa.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.transport.tls.TlsFiles;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NettyTransportConfigTest {
  private static final InetSocketAddress ADDR = new InetSocketAddress("127.0.0.1", 0);
  private final NettyTransportConfig base = EmbeddedPeer.CONFIG;

  @Test
  void theLocalPeerIsDroppedFromItsOwnPeerMap() {
    assertThat(base.peers()).containsOnlyKeys("b");
  }

  @Test
  void tlsAndInsecureAreExclusiveAndOneIsRequired() {
    assertThatThrownBy(() -> NettyTransportConfig.secure("fed", "a", ADDR, Map.of(), null, LoopbackFixture.MODEL))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new NettyTransportConfig("fed", "a", ADDR, Map.of(), null, false, LoopbackFixture.MODEL,
        base.codecs(), 4096, 1024, 1 << 20, 4, 0, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofMillis(1), Duration.ofSeconds(1), new java.util.TreeMap<>()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no TLS files");
    assertThatThrownBy(() -> new NettyTransportConfig("fed", "a", ADDR, Map.of(), TlsFiles.inDirectory(Path.of("x")), true,
        LoopbackFixture.MODEL, base.codecs(), 4096, 1024, 1 << 20, 4, 0, Duration.ofSeconds(1), Duration.ofSeconds(1),
        Duration.ofSeconds(2), Duration.ofMillis(1), Duration.ofSeconds(1), new java.util.TreeMap<>()))
        .hasMessageContaining("insecure is set");
  }

  @Test
  void limitsAndTimeoutsAreChecked() {
    assertThatThrownBy(() -> base.withLimits(4096, 4090, 1 << 20, 4, 0)).hasMessageContaining("chunk size must be between 1");
    assertThatThrownBy(() -> base.withLimits(4096, 1024, 3L << 30, 4, 0)).hasMessageContaining("one Java array");
    assertThatThrownBy(() -> base.withLimits(4096, 1024, 1 << 20, 0, 0)).hasMessageContaining("At least one snapshot");
    assertThatThrownBy(() -> base.withLimits(4096, 1024, 1 << 20, 4, -1)).hasMessageContaining("spare receive array");
    assertThatThrownBy(() -> base.withLimits(4096, 1024, 1 << 20, 4, 3L << 30)).hasMessageContaining("spare receive array");
    assertThatThrownBy(() -> base.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5),
        Duration.ofMillis(1), Duration.ofSeconds(1))).hasMessageContaining("must be longer than the heartbeat interval");
    assertThatThrownBy(() -> base.withTimeouts(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofMillis(1), Duration.ofSeconds(1))).hasMessageContaining("progress timeout must be positive");
    assertThatThrownBy(() -> base.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(2), Duration.ofSeconds(1))).hasMessageContaining("must not be shorter than the base delay");
  }
}
