package dev.ipa.alignment.table;

import dev.ipa.transport.InMemoryNetwork;
import dev.ipa.transport.PeerTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** The exchange over the in-memory network, with a third of the messages dropped: the re-sends must cover it. */
class InMemoryStatisticsExchangeTest extends StatisticsExchangeContract {
  private InMemoryNetwork network;

  @Override
  protected List<PeerTransport> transports(List<String> peers) {
    network = new InMemoryNetwork(new InMemoryNetwork.Faults(Duration.ZERO, 0.33, 7));
    List<PeerTransport> out = new ArrayList<>();
    for (String p : peers) out.add(network.transport(p));
    return out;
  }

  @AfterEach
  void closeNetwork() {
    network.close();
  }
}
