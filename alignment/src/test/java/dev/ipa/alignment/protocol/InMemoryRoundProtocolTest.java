package dev.ipa.alignment.protocol;

import dev.ipa.transport.InMemoryNetwork;
import dev.ipa.transport.PeerTransport;
import java.util.ArrayList;
import java.util.List;

/** The round protocol over the in-memory network of simulations. */
class InMemoryRoundProtocolTest extends RoundProtocolContract {
  private InMemoryNetwork network;

  @Override
  protected List<PeerTransport> transports(List<String> peers) {
    network = new InMemoryNetwork();
    List<PeerTransport> out = new ArrayList<>();
    for (String p : peers) out.add(network.transport(p));
    return out;
  }

  @Override
  protected void shutdown() {
    if (network != null) network.close();
  }
}
