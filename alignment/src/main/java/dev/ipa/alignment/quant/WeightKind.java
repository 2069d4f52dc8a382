package dev.ipa.alignment.quant;

/** How one weight layer is stored and used in the forward pass. */
public enum WeightKind {
  /** fp32 weights, used as they are. */
  FLOAT("float"),
  /** α·sign(W): one bit per weight plus one scale per layer or per output unit. */
  BINARY("binary"),
  /** Tiled Bit Networks: one tile of n/p bits reused p times, one scale per tile copy. */
  TILED("tiled");

  private final String label;

  WeightKind(String label) {
    this.label = label;
  }

  /** The name used in specs and tables: float, binary, tiled. */
  public String label() {
    return label;
  }

  static WeightKind parse(String s, String spec) {
    for (WeightKind k : values()) if (k.label.equals(s)) return k;
    throw new IllegalArgumentException("Unknown weight kind '" + s + "' in '" + spec + "'; use float, binary or tiled.");
  }
}
