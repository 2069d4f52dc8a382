package dev.ipa.peer.api;

import dev.ipa.peer.federation.PeerNode;
import dev.ipa.peer.federation.PeerState;
import dev.ipa.peer.federation.PeerStatus;
import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The federation's part of {@code /health}: the peer's state, how long ago its last round ended and how many of
 * its links are up. DOWN only when the federation thread failed, so an orchestrator restarts the peer, which then
 * resumes from its checkpoint; a peer that finished or was stopped stays UP, since it still serves its model and
 * API (and a restart would only find it finished again). Stateless; thread-safe.
 */
@Singleton
@Requires(beans = PeerNode.class)
final class FederationHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
  private final PeerNode node;

  FederationHealthIndicator(PeerNode node) {
    this.node = node;
  }

  @Override
  protected Map<String, Object> getHealthInformation() {
    PeerStatus s = node.status();
    healthStatus = node.state() == PeerState.FAILED ? HealthStatus.DOWN : HealthStatus.UP;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("state", s.state());
    details.put("reason", s.reason());
    details.put("round", s.round());
    details.put("lastRoundSecondsAgo", node.lastSummary()
        .map(r -> Duration.between(Instant.parse(r.finishedAt()), Instant.now()).toSeconds()).orElse(null));
    var links = node.links().values();
    details.put("linksUp", links.stream().filter(l -> l.connected()).count());
    details.put("links", links.size());
    if (s.error() != null) details.put("error", s.error());
    return details;
  }

  @Override
  protected String getName() {
    return "federation";
  }
}
