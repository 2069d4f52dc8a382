package dev.ipa.peer.api;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micronaut.context.annotation.Context;
import java.util.Map;

/**
 * Gives every meter a description, which Prometheus shows as its HELP line: the daemon's own meters have theirs;
 * the few that Micronaut registers without one (its executor and HTTP server timers) get the text below, any
 * other a sentence naming it. Installed on the registry at start-up, before the first request is timed.
 * Stateless and thread-safe.
 */
@Context
public final class MetricDescriptions {
  private static final Map<String, String> KNOWN = Map.of(
      "executor", "Time a task spent running on a Micronaut executor (io, scheduled, blocking)",
      "executor.idle", "Time a task waited in a Micronaut executor's queue before it ran",
      "http.server.requests", "Time the admin HTTP server took to answer a request, by method, URI and status");

  public MetricDescriptions(MeterRegistry registry) {
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        if (id.getDescription() != null && !id.getDescription().isBlank()) return id;
        String text = KNOWN.get(id.getName());
        return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(),
            text != null ? text : "Meter '" + id.getName() + "', registered by a library without a description", id.getType());
      }
    });
  }
}
