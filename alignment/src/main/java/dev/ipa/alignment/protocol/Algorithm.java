package dev.ipa.alignment.protocol;

import java.util.Locale;

/** What a peer does with its neighbours' parameters. */
public enum Algorithm {
  /** Iterative Parameter Alignment: train with a penalty pulling towards the neighbours' last snapshots. */
  IPA,
  /** FedAvg done peer-to-peer: after each exchange, replace θ by the data-size weighted mean of θ and the snapshots. */
  FEDAVG,
  /** FedProx: FedAvg plus a proximal term μ/2·‖θ − θ_avg‖² towards the last averaged model during local training. */
  FEDPROX,
  /** Local-only training: no exchange at all. The baseline every federated result is measured against. */
  LOCAL;

  public static Algorithm parse(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "ipa" -> IPA;
      case "fedavg" -> FEDAVG;
      case "fedprox" -> FEDPROX;
      case "local" -> LOCAL;
      default -> throw new IllegalArgumentException("Unknown algorithm '" + s + "'; use ipa, fedavg, fedprox or local.");
    };
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
