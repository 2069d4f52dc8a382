package dev.ipa.peer.federation;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;

/**
 * The Prometheus gauges an operator alerts on: the peer's state (one 0/1 series per state, so a query can ask
 * {@code ipa_state{state="failed"} == 1}), whether it is paused, how many neighbour links are up, and the
 * neighbour snapshots it rejected as corrupt. Every gauge carries a description, which Prometheus shows as HELP.
 * The gauges read the node when scraped; registering them holds no lock.
 */
final class NodeGauges {
  private NodeGauges() {}

  static void register(MeterRegistry metrics, PeerNode node, Collection<String> neighbours) {
    for (PeerState s : PeerState.values()) {
      Gauge.builder("ipa.state", node, n -> n.status().state().equals(s.id()) ? 1 : 0).tag("state", s.id())
          .description("1 for the state the peer is in (idle, training, waiting, paused, finished, stopped, failed), 0 for the others")
          .register(metrics);
    }
    Gauge.builder("ipa.paused", node, n -> n.paused() ? 1 : 0).description("1 while the peer is paused, else 0").register(metrics);
    Gauge.builder("ipa.links.up", node, n -> n.links().values().stream().filter(l -> l.connected()).count())
        .description("Neighbour links that are up now").register(metrics);
    Gauge.builder("ipa.links", node, n -> n.links().size()).description("Neighbour links configured").register(metrics);
    for (String p : neighbours) {
      Gauge.builder("ipa.peer.suspected.snapshots", node, n -> n.suspectedSnapshots(p)).tag("peer", p)
          .description("Snapshots from a neighbour rejected as corrupt since start-up (each one is answered with a resync request)")
          .register(metrics);
    }
  }
}
