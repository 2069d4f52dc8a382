package dev.ipa.alignment.table;

import dev.ipa.transport.PeerTransport;
import dev.ipa.transport.netty.LoopbackTls;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** The federated-statistics exchange over real Netty sockets with mutual TLS on 127.0.0.1. */
class NettyStatisticsExchangeTest extends StatisticsExchangeContract {
  @TempDir Path certs;

  @Override
  protected List<PeerTransport> transports(List<String> peers) {
    return LoopbackTls.transports("test-federation", peers, certs, StatisticsExchange.FINGERPRINT);
  }
}
