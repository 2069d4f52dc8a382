package dev.ipa.compression;

import java.util.Objects;

/**
 * Which codec to use and its one parameter, as written in configuration ({@code ipa.compression.codec = tile:8}).
 * Immutable and validated on construction; {@link #toString()} gives back the string {@link #parse} accepts.
 *
 * <pre>
 *   spec          meaning                                              payload bytes for n values
 *   none          IEEE-754 binary32, as is                             4n
 *   fp16          IEEE-754 binary16, round to nearest even, saturating 2n
 *   int8[:C]      symmetric int8, one fp32 scale per C values (4096)   n + 4·ceil(n/C)
 *   sign[:C]      1 bit per value + α = mean|x| per tensor (or per C)  ceil(n/8) + 4·(C = 0 ? 1 : ceil(n/C))
 *   tile:P        Tiled Bit Network tile of ceil(n/P) bits + P scales  ceil(n/(8P)) + 4P
 *   topk:F        the ceil(F·n) largest |x|: varint gaps + fp32 values data-dependent, at most 5 + 9·ceil(F·n)
 * </pre>
 *
 * @param kind      the codec family
 * @param parameter chunk length for {@code int8} (≥ 1) and {@code sign} (0 = one scale per tensor, else a
 *                  multiple of 64), tile count P for {@code tile} (1..{@value #MAX_TILES}), 0 otherwise
 * @param fraction  kept fraction F for {@code topk}, in (0, 1]; 0 otherwise. The wire carries it as a binary32
 *                  for diagnostics only: the payload states k itself
 */
public record CodecSpec(Kind kind, int parameter, double fraction) {
  /** Values per scale of {@code int8} when the spec does not say. */
  public static final int DEFAULT_INT8_CHUNK = 4096;
  /** Largest tile count; bounds the encoder's per-chunk scratch. */
  public static final int MAX_TILES = 4096;

  private static final String USAGE = "use one of none, fp16, int8, sign, tile:P, topk:F";

  /** Codec families; the id is the byte written on the wire and never changes. */
  public enum Kind {
    NONE(0, "none"),
    FP16(1, "fp16"),
    INT8(2, "int8"),
    SIGN(3, "sign"),
    TILE(4, "tile"),
    TOPK(5, "topk");

    private final int wireId;
    private final String label;

    Kind(int wireId, String label) {
      this.wireId = wireId;
      this.label = label;
    }

    /** The byte that names this family in an encoded message. */
    public int wireId() {
      return wireId;
    }

    /** The family's name as written in a spec string. */
    public String label() {
      return label;
    }

    static Kind fromWireId(int id) {
      for (Kind k : values()) {
        if (k.wireId == id) {
          return k;
        }
      }
      return null;
    }
  }

  public static final CodecSpec NONE = new CodecSpec(Kind.NONE, 0, 0);
  public static final CodecSpec FP16 = new CodecSpec(Kind.FP16, 0, 0);
  public static final CodecSpec INT8 = new CodecSpec(Kind.INT8, DEFAULT_INT8_CHUNK, 0);
  public static final CodecSpec SIGN = new CodecSpec(Kind.SIGN, 0, 0);

  public CodecSpec {
    Objects.requireNonNull(kind, "A codec spec needs a kind.");
    switch (kind) {
      case NONE, FP16 -> requireNoParameters(kind, parameter, fraction);
      case INT8 -> {
        if (parameter < 1) {
          throw new IllegalArgumentException("An int8 chunk length must be at least 1, got " + parameter + ".");
        }
        requireNoFraction(kind, fraction);
      }
      case SIGN -> {
        if (parameter < 0 || parameter % 64 != 0) {
          throw new IllegalArgumentException(
              "A sign chunk length must be 0 (one scale per tensor) or a positive multiple of 64, got "
                  + parameter + ".");
        }
        requireNoFraction(kind, fraction);
      }
      case TILE -> {
        if (parameter < 1 || parameter > MAX_TILES) {
          throw new IllegalArgumentException(
              "A tile count must be between 1 and " + MAX_TILES + ", got " + parameter + ".");
        }
        requireNoFraction(kind, fraction);
      }
      case TOPK -> {
        if (!(fraction > 0 && fraction <= 1)) {
          throw new IllegalArgumentException("A top-k fraction must be in (0, 1], got " + fraction + ".");
        }
        if (parameter != 0) {
          throw new IllegalArgumentException("A top-k spec takes a fraction, not an integer parameter.");
        }
      }
      default -> throw new AssertionError(kind);
    }
  }

  /** {@code tile:p}. */
  public static CodecSpec tile(int tiles) {
    return new CodecSpec(Kind.TILE, tiles, 0);
  }

  /** {@code topk:f}. */
  public static CodecSpec topK(double fraction) {
    return new CodecSpec(Kind.TOPK, 0, fraction);
  }

  /** {@code sign:c}; chunk 0 means one scale for the whole tensor. */
  public static CodecSpec sign(int chunk) {
    return new CodecSpec(Kind.SIGN, chunk, 0);
  }

  /** {@code int8:c}. */
  public static CodecSpec int8(int chunk) {
    return new CodecSpec(Kind.INT8, chunk, 0);
  }

  /**
   * Parses {@code none}, {@code fp16}, {@code int8}, {@code int8:C}, {@code sign}, {@code sign:C}, {@code tile:P}
   * or {@code topk:F}, case-insensitively, ignoring surrounding blanks.
   *
   * @throws IllegalArgumentException with a sentence naming the bad spec and the accepted forms
   */
  public static CodecSpec parse(String text) {
    Objects.requireNonNull(text, "A codec spec string must not be null.");
    String spec = text.strip().toLowerCase(java.util.Locale.ROOT);
    int colon = spec.indexOf(':');
    String name = colon < 0 ? spec : spec.substring(0, colon);
    String arg = colon < 0 ? null : spec.substring(colon + 1).strip();
    Kind kind = null;
    for (Kind k : Kind.values()) {
      if (k.label.equals(name)) {
        kind = k;
      }
    }
    if (kind == null) {
      throw new IllegalArgumentException("unknown codec '" + text + "'; " + USAGE + ".");
    }
    try {
      return switch (kind) {
        case NONE, FP16 -> {
          if (arg != null) {
            throw new IllegalArgumentException(
                "Codec '" + name + "' takes no parameter, got '" + text + "'; " + USAGE + ".");
          }
          yield kind == Kind.NONE ? NONE : FP16;
        }
        case INT8 -> arg == null ? INT8 : int8(parseInt(text, arg));
        case SIGN -> arg == null ? SIGN : sign(parseInt(text, arg));
        case TILE -> {
          if (arg == null) {
            throw new IllegalArgumentException("Codec 'tile' needs a tile count, as in 'tile:8'; " + USAGE + ".");
          }
          yield tile(parseInt(text, arg));
        }
        case TOPK -> {
          if (arg == null) {
            throw new IllegalArgumentException("Codec 'topk' needs a fraction, as in 'topk:0.01'; " + USAGE + ".");
          }
          double f;
          try {
            f = Double.parseDouble(arg);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Codec spec '" + text + "' has a fraction that is not a number; "
                + USAGE + ".");
          }
          yield topK(f);
        }
      };
    } catch (IllegalArgumentException e) {
      if (e.getMessage().contains(text)) {
        throw e;
      }
      throw new IllegalArgumentException("Codec spec '" + text + "' is invalid: " + e.getMessage(), e);
    }
  }

  private static int parseInt(String text, String arg) {
    try {
      return Integer.parseInt(arg);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Codec spec '" + text + "' has a parameter that is not an integer; "
          + USAGE + ".");
    }
  }

  private static void requireNoParameters(Kind kind, int parameter, double fraction) {
    if (parameter != 0 || fraction != 0) {
      throw new IllegalArgumentException("Codec '" + kind.label + "' takes no parameter.");
    }
  }

  private static void requireNoFraction(Kind kind, double fraction) {
    if (fraction != 0) {
      throw new IllegalArgumentException("Codec '" + kind.label + "' takes no fraction.");
    }
  }

  /** The 32-bit parameter written next to the codec id on the wire (the fraction's float bits for top-k). */
  int wireParameter() {
    return kind == Kind.TOPK ? Float.floatToIntBits((float) fraction) : parameter;
  }

  /** Rebuilds a spec from the wire; null when the id or parameter is not one a valid encoder writes. */
  static CodecSpec fromWire(int id, int wireParameter) {
    Kind kind = Kind.fromWireId(id);
    if (kind == null) {
      return null;
    }
    try {
      return kind == Kind.TOPK
          ? new CodecSpec(kind, 0, Float.intBitsToFloat(wireParameter))
          : new CodecSpec(kind, wireParameter, 0);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return switch (kind) {
      case NONE, FP16 -> kind.label;
      case INT8 -> parameter == DEFAULT_INT8_CHUNK ? "int8" : "int8:" + parameter;
      case SIGN -> parameter == 0 ? "sign" : "sign:" + parameter;
      case TILE -> "tile:" + parameter;
      case TOPK -> "topk:" + fraction;
    };
  }
}
