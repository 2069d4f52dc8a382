package dev.ipa.alignment.protocol;

import dev.ipa.transport.PeerTransport;
import dev.ipa.transport.netty.LoopbackTls;
import dev.ipa.transport.ModelFingerprint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** The same round-protocol suite over real Netty sockets with mutual TLS on 127.0.0.1. */
class NettyRoundProtocolTest extends RoundProtocolContract {
  @TempDir Path certs;
  private List<PeerTransport> transports;

  @Override
  protected List<PeerTransport> transports(List<String> peers) {
    transports = LoopbackTls.transports("test-federation", peers, certs, new ModelFingerprint("mlp 16-8-3", 163));
    return transports;
  }

  @Override
  protected void afterStart() throws InterruptedException {
    LoopbackTls.awaitConnected(transports, Duration.ofSeconds(30));
  }

  @Override
  protected void shutdown() {
    if (transports != null) transports.forEach(PeerTransport::close);
  }
}
