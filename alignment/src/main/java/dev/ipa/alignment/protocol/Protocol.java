package dev.ipa.alignment.protocol;

import java.util.Locale;

/** How the peers of a federation take turns. */
public enum Protocol {
  /** Every peer trains at the same time and exchanges snapshots with its neighbours; scales. */
  PARALLEL,
  /** The IPA paper's Algorithm 1: θ*, every peer's parameters, travels around the ring, one holder at a time. */
  RING;

  public static Protocol parse(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "parallel" -> PARALLEL;
      case "ring" -> RING;
      default -> throw new IllegalArgumentException("Unknown protocol '" + s + "'; use parallel or ring.");
    };
  }
}
