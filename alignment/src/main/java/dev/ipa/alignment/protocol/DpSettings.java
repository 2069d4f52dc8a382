package dev.ipa.alignment.protocol;

/**
 * Peer-level differential privacy of every published update (see {@link GaussianUpdateMechanism} and
 * {@link GaussianDpAccountant}). Validated once; immutable. Off by default: noise costs accuracy, so a federation
 * turns it on knowingly.
 *
 * @param clip    C &gt; 0: the update θ − (view last published) is clipped to L2 norm C; 0 = DP off
 * @param sigma   noise multiplier σ &gt; 0: N(0, σ²C²) is added to every coordinate of the clipped update
 * @param delta   δ at which ε is reported, in (0, 1)
 * @param budget  ε budget: the peer stops publishing new information before a step would exceed it; +∞ = none
 */
public record DpSettings(double clip, double sigma, double delta, double budget) {

  public DpSettings {
    if (!(clip >= 0) || Double.isInfinite(clip)) throw new IllegalArgumentException("The DP clipping norm C must be a finite number ≥ 0 (0 = off), got " + clip + ".");
    if (clip > 0 && (!(sigma > 0) || Double.isInfinite(sigma))) {
      throw new IllegalArgumentException("The DP noise multiplier σ must be a finite number > 0, got " + sigma + "; use --dp clip:C,sigma:S or epsilon:E,delta:D.");
    }
    if (!(delta > 0 && delta < 1)) throw new IllegalArgumentException("The DP δ must be in (0, 1), got " + delta + ".");
    if (!(budget > 0)) throw new IllegalArgumentException("The DP ε budget must be > 0 (or infinite for none), got " + budget + ".");
  }

  /** No differential privacy. */
  public static DpSettings none() {
    return new DpSettings(0, 0, 1e-5, Double.POSITIVE_INFINITY);
  }

  public boolean enabled() {
    return clip > 0;
  }

  /**
   * Parses {@code none}, {@code clip:C,sigma:S[,delta:D][,budget:E]}, or {@code epsilon:E,delta:D[,clip:C]}, which
   * calibrates σ so that {@code releases} Gaussian releases spend exactly ε at δ, and sets ε as the budget.
   *
   * @param releases the planned number of published updates (rounds × exchanges per round)
   */
  public static DpSettings parse(String spec, int releases) {
    String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
    if (s.equals("none") || s.equals("off") || s.isEmpty()) return none();
    double clip = 1.0;
    double sigma = Double.NaN;
    double delta = 1e-5;
    double epsilon = Double.NaN;
    double budget = Double.POSITIVE_INFINITY;
    for (String part : s.split(",")) {
      String[] kv = part.trim().split(":", 2);
      try {
        if (kv.length != 2) throw new NumberFormatException();
        double v = Double.parseDouble(kv[1]);
        switch (kv[0]) {
          case "clip" -> clip = v;
          case "sigma" -> sigma = v;
          case "delta" -> delta = v;
          case "epsilon" -> epsilon = v;
          case "budget" -> budget = v;
          default -> throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Bad DP setting '" + spec + "'; use clip:C,sigma:S or epsilon:E,delta:D, e.g. epsilon:4,delta:1e-5.");
      }
    }
    if (!Double.isNaN(epsilon)) {
      if (!Double.isNaN(sigma)) throw new IllegalArgumentException("Give either sigma or epsilon in --dp '" + spec + "', not both: epsilon calibrates sigma.");
      if (!(epsilon > 0) || Double.isInfinite(epsilon)) throw new IllegalArgumentException("The DP ε must be a finite number > 0, got " + epsilon + ".");
      return new DpSettings(clip, GaussianDpAccountant.calibrateSigma(epsilon, delta, releases), delta, epsilon);
    }
    if (Double.isNaN(sigma)) throw new IllegalArgumentException("--dp '" + spec + "' needs sigma:S (with clip:C) or epsilon:E.");
    return new DpSettings(clip, sigma, delta, budget);
  }

  @Override
  public String toString() {
    if (!enabled()) return "none";
    return "clip:" + clip + ",sigma:" + sigma + ",delta:" + delta + (Double.isInfinite(budget) ? "" : ",budget:" + budget);
  }
}
