package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API listens on loopback unless told otherwise. */
class AdminBindTest {

  @Test
  void withoutAHostTheAdminApiListensOnLoopbackOnly(@TempDir java.nio.file.Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b"));
    int port = TestPeers.freePort();
    Map<String, String> c = peers.config("a", port);
    c.remove("micronaut.server.host");
    try (ApplicationContext ctx = PeerDaemon.start(TestPeers.args(c))) {
      assertThat(ctx.getBean(EmbeddedServer.class).getHost()).isEqualTo("127.0.0.1");
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
        assertThat(s.isConnected()).isTrue();
      }
      // (Tests talk only to loopback, so the refusal on other interfaces is not probed here; the bound host is.)
    }
  }
}
