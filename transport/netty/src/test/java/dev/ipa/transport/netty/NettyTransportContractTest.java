package dev.ipa.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipa.transport.PeerTransport;
import dev.ipa.transport.PeerTransportContract;
import dev.ipa.transport.RecordingInbox;
import dev.ipa.transport.tls.TlsProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** NettyTransport (mutual TLS over loopback) against the shared contract, on each TLS provider. */
class NettyTransportContractTest {

  @Nested
  class OverOpenSsl extends OverTls {
    OverOpenSsl() {
      super(TlsProvider.OPENSSL);
    }
  }

  @Nested
  class OverJdk extends OverTls {
    OverJdk() {
      super(TlsProvider.JDK);
    }
  }

  abstract static class OverTls extends PeerTransportContract {
    private final TlsProvider provider;
    @TempDir Path dir;

    OverTls(TlsProvider provider) {
      this.provider = provider;
    }

    @Override
    protected List<PeerTransport> newFederation(List<String> peerIds) throws Exception {
      LoopbackFixture fixture = new LoopbackFixture(dir, peerIds, provider);
      List<PeerTransport> out = new ArrayList<>();
      for (String id : peerIds) out.add(new NettyTransport(fixture.secure(id)));
      return out;
    }

    /** Netty drops messages to peers whose link is not up yet, so the contract starts once every link is up. */
    @Override
    protected void awaitReady(List<PeerTransport> started) {
      boolean up = RecordingInbox.await(WAIT, () -> started.stream()
          .allMatch(t -> t.links().size() == started.size() - 1 && t.links().values().stream().allMatch(l -> l.connected())));
      assertThat(up).as("every link of the federation came up").isTrue();
    }
  }
}
