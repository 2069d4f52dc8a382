package dev.ipa.transport;

import java.util.ArrayList;
import java.util.List;

/** The in-memory transport against the shared contract. */
class InMemoryTransportContractTest extends PeerTransportContract {
  private InMemoryNetwork network;

  @Override
  protected List<PeerTransport> newFederation(List<String> peerIds) {
    network = new InMemoryNetwork();
    List<PeerTransport> out = new ArrayList<>();
    for (String id : peerIds) out.add(network.transport(id));
    return out;
  }

  @Override
  protected void afterFederation() {
    if (network != null) network.close();
  }
}
