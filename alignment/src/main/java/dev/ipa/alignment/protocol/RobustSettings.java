package dev.ipa.alignment.protocol;

/**
 * How a peer defends itself against a neighbour that is authenticated but not honest (see the README's threat
 * model). Validated once, in the compact constructor; immutable. Every peer may choose its own: these settings
 * change only what a peer does with what it receives, never what it sends.
 *
 * @param enabled      false turns every defence off: the behaviour before the defences, bit for bit (STOP notices
 *                     honoured from anyone, claimed data sizes trusted, no clipping, no trimming, no trust)
 * @param stopQuorum   peers (this one included) that must have announced reaching the target accuracy before this
 *                     peer stops; 0 = a majority of the federation, ⌊n/2⌋ + 1. A STOP notice is honoured only when
 *                     this peer's own early-stop policy has a target accuracy, i.e. could have produced it
 * @param clipFactor   a neighbour's distance ‖θ̃_j − θ_i‖ is clipped to this multiple of the median distance
 *                     over the neighbours; 0 = no clipping. Must be ≥ 1 when set, so the median neighbour is
 *                     never clipped
 * @param trim         fraction of the values trimmed at each end, per coordinate, in the consensus (FedAvg's mean
 *                     and IPA's proximal step): k = ⌊trim·m⌋ of the m values (own and neighbours') at each end;
 *                     in [0, 0.5)
 * @param trustFactor  a neighbour whose snapshot's loss on the local validation split exceeds this multiple of the
 *                     median loss (own model and neighbours') gets weight 0 for the exchange, FLTrust's idea
 *                     (Cao et al. 2021) without a server; 0 = off, else &gt; 1
 * @param maxDataSize  cap on a neighbour's claimed training-set size when the federation's sizes were not
 *                     provisioned; 0 = twice the mean size Σ|D| / n
 * @param dataSizes    training-set sizes fixed at provisioning, by peer id ({@code ipa.federation.robust.data-sizes});
 *                     a neighbour listed here is weighted with this size whatever its snapshots claim
 */
public record RobustSettings(boolean enabled, int stopQuorum, double clipFactor, double trim, double trustFactor, int maxDataSize,
    java.util.Map<String, Integer> dataSizes) {

  public RobustSettings {
    if (stopQuorum < 0) throw new IllegalArgumentException("The stop quorum must be ≥ 0 peers (0 = a majority), got " + stopQuorum + ".");
    if (!(clipFactor == 0 || clipFactor >= 1) || Double.isInfinite(clipFactor)) {
      throw new IllegalArgumentException("The clipping factor must be 0 (off) or a finite multiple ≥ 1 of the median distance, got " + clipFactor + ".");
    }
    if (!(trim >= 0 && trim < 0.5)) throw new IllegalArgumentException("The trimmed fraction must be in [0, 0.5), got " + trim + ".");
    if (!(trustFactor == 0 || trustFactor > 1) || Double.isInfinite(trustFactor)) {
      throw new IllegalArgumentException("The trust factor must be 0 (off) or a finite multiple > 1 of the median validation loss, got " + trustFactor + ".");
    }
    dataSizes = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(java.util.Objects.requireNonNull(dataSizes, "dataSizes")));
    dataSizes.forEach((peer, size) -> {
      if (size == null || size < 1) throw new IllegalArgumentException("The provisioned data size of peer '" + peer + "' must be ≥ 1 sample, got " + size + ".");
    });
    if (maxDataSize < 0) throw new IllegalArgumentException("The data-size cap must be ≥ 0 samples (0 = twice the mean), got " + maxDataSize + ".");
  }

  /** The shipped defences: majority stop quorum, clipping at 3× the median distance, 20 % trimmed, trust at 4× the median loss. */
  public static RobustSettings defaults() {
    return new RobustSettings(true, 0, 3.0, 0.2, 4.0, 0, java.util.Map.of());
  }

  /** No defences: what every peer did before them. */
  public static RobustSettings off() {
    return new RobustSettings(false, 1, 0, 0, 0, 0, java.util.Map.of());
  }

  /** The same defences with the training-set sizes fixed at provisioning. */
  public RobustSettings withDataSizes(java.util.Map<String, Integer> sizes) {
    return new RobustSettings(enabled, stopQuorum, clipFactor, trim, trustFactor, maxDataSize, sizes);
  }

  /** The quorum for a federation of {@code peers}: the configured one, or a majority. */
  public int quorum(int peers) {
    if (!enabled) return 1;
    return stopQuorum == 0 ? peers / 2 + 1 : Math.min(stopQuorum, peers);
  }

  /** Parses {@code off}, {@code on} (the defaults) or {@code key:value} pairs, e.g. {@code clip:3,trim:0.2,trust:4,quorum:2,max-size:60000}. */
  public static RobustSettings parse(String spec) {
    String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
    if (s.equals("off") || s.equals("none")) return off();
    RobustSettings d = defaults();
    int quorum = d.stopQuorum;
    double clip = d.clipFactor;
    double trim = d.trim;
    double trust = d.trustFactor;
    int maxSize = d.maxDataSize;
    if (s.equals("on") || s.isEmpty()) return d;
    for (String part : s.split(",")) {
      String[] kv = part.trim().split(":", 2);
      try {
        if (kv.length != 2) throw new NumberFormatException();
        switch (kv[0]) {
          case "quorum" -> quorum = Integer.parseInt(kv[1]);
          case "clip" -> clip = Double.parseDouble(kv[1]);
          case "trim" -> trim = Double.parseDouble(kv[1]);
          case "trust" -> trust = Double.parseDouble(kv[1]);
          case "max-size" -> maxSize = Integer.parseInt(kv[1]);
          default -> throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Bad robust-alignment setting '" + spec + "'; use off, on, or pairs such as clip:3,trim:0.2,trust:4,quorum:2,max-size:60000.");
      }
    }
    return new RobustSettings(true, quorum, clip, trim, trust, maxSize, java.util.Map.of());
  }

  @Override
  public String toString() {
    if (!enabled) return "off";
    return "quorum:" + stopQuorum + ",clip:" + clipFactor + ",trim:" + trim + ",trust:" + trustFactor + ",max-size:" + maxDataSize
        + (dataSizes.isEmpty() ? "" : ",sizes:" + dataSizes);
  }
}
