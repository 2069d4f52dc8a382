package dev.ipa.alignment.protocol;

import java.util.Map;

/**
 * Which training-set size a neighbour's snapshot counts with. The wire header's data size is the sender's claim,
 * and data-size weights make it a lever: a peer claiming 2³¹ − 1 samples would own the consensus. So the size
 * comes from what was fixed at provisioning ({@code ipa.federation.robust.data-sizes}, or the known shards of a
 * simulation) when there is one, and otherwise the claim is capped. An overridden claim is reported to
 * {@link Suspicions}.
 *
 * <p>Immutable and thread-safe (the reports go to a thread-safe collector).
 */
public final class DataSizeClaims {
  private final boolean enabled;
  private final Map<String, Integer> provisioned;
  private final int cap;

  /**
   * @param enabled     false trusts every claim, as before the defences
   * @param provisioned sizes fixed at provisioning, by peer id (may be empty)
   * @param cap         the largest claim accepted from a peer without a provisioned size, ≥ 1
   */
  public DataSizeClaims(boolean enabled, Map<String, Integer> provisioned, int cap) {
    if (cap < 1) throw new IllegalArgumentException("The data-size cap must be ≥ 1 sample, got " + cap + ".");
    this.enabled = enabled;
    this.provisioned = Map.copyOf(provisioned);
    this.cap = cap;
  }

  /** Trusts every claim. */
  public static DataSizeClaims trusting() {
    return new DataSizeClaims(false, Map.of(), Integer.MAX_VALUE);
  }

  /** The size to weight {@code peer}'s snapshot with; reports to {@code suspicions} (if not null) when the claim is overridden. */
  public int trusted(String peer, int round, int sync, int claimed, Suspicions suspicions) {
    if (!enabled) return claimed;
    Integer fixed = provisioned.get(peer);
    int size = fixed != null ? fixed : Math.min(claimed, cap);
    if (size != claimed && suspicions != null) {
      suspicions.suspected(peer, round, sync, fixed != null
          ? "claimed " + claimed + " training samples, but " + fixed + " were provisioned; weighting it with " + fixed
          : "claimed " + claimed + " training samples, above the cap of " + cap + "; weighting it with " + cap);
    }
    return size;
  }
}
