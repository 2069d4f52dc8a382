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
  LOCAL,
  /**
   * Ditto (Li et al. 2021): a global model w that follows FedAvg, and a personal model v per peer trained with
   * λ/2·‖v − w‖² towards it. A simulation baseline.
   */
  DITTO,
  /** FedAvg + fine-tuning: FedAvg's global model, and as the personal model k local steps from it. A simulation baseline. */
  FEDAVG_FT;

  public static Algorithm parse(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "ipa" -> IPA;
      case "fedavg" -> FEDAVG;
      case "fedprox" -> FEDPROX;
      case "local" -> LOCAL;
      case "ditto" -> DITTO;
      case "fedavg-ft" -> FEDAVG_FT;
      default -> throw new IllegalArgumentException("Unknown algorithm '" + s + "'; use ipa, fedavg, fedprox, local, ditto or fedavg-ft.");
    };
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Whether a peer daemon runs it; the personalisation baselines keep state a checkpoint does not hold, so they are simulation-only. */
  public boolean daemonSupported() {
    return this != DITTO && this != FEDAVG_FT;
  }
}
