package dev.ipa.alignment.quant;

import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.WeightTransform;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * How a silo's local model stores its weights: a parsed {@code --weights} spec. It yields the per-layer
 * {@link LayerPlan}s and the {@link WeightTransform}s to build a {@link dev.ipa.alignment.model.Network} with, so
 * a simulation plugs it in as {@code Network.create(arch, seed, WeightMode.parse(spec).transforms(arch))}.
 *
 * <p>Spec grammar: {@code MODE[,KEY=VALUE]...}
 *
 * <pre>
 *   float                      fp32 weights (the default)
 *   binary | binary:per-unit   α·sign(W), α = mean|W| per layer or per output unit
 *   tiled:P                    Tiled Bit Networks with P copies of one tile per layer (P ≥ 2)
 *   min=N        tiled only: layers with fewer than N weights stay binary (default 65536)
 *   first=KIND   kind of the first weight layer: float, binary or tiled (tiled only in tiled mode)
 *   last=KIND    kind of the last weight layer
 *   ste=clipped|identity   straight-through estimator; clipped (default) cancels the gradient where the
 *                          pre-sign value exceeds 1 in magnitude
 * </pre>
 *
 * <p>Small layers stay binary because, as in the paper, a tile there saves only a few hundred bytes while
 * costing accuracy; with the default threshold the 784-200-200-10 MLP tiles only its first layer (156,800
 * weights). The first/last options apply before the threshold. Immutable and validated once.
 *
 * @param kind     mode of every layer the options do not override
 * @param tiles    P for tiled mode, 1 otherwise
 * @param perUnit  per-output-unit scales (binary mode only)
 * @param minTiled tiled layers need at least this many weights
 * @param first    kind of the first weight layer, or null for the mode's kind
 * @param last     kind of the last weight layer, or null for the mode's kind
 * @param clipped  whether the straight-through gradient is cancelled where |pre-sign value| &gt; 1
 */
public record WeightMode(WeightKind kind, int tiles, boolean perUnit, int minTiled, WeightKind first, WeightKind last, boolean clipped) {
  public static final int DEFAULT_MIN_TILED = 65536;
  public static final WeightMode FLOAT = new WeightMode(WeightKind.FLOAT, 1, false, DEFAULT_MIN_TILED, null, null, true);

  public WeightMode {
    if (kind == null) throw new IllegalArgumentException("A weight mode needs a kind: float, binary or tiled.");
    if (kind == WeightKind.TILED && (tiles < 2 || tiles > 65535)) {
      throw new IllegalArgumentException("tiled:P needs 2 ≤ P ≤ 65535 tile copies, got " + tiles + ".");
    }
    if (kind != WeightKind.TILED && tiles != 1) throw new IllegalArgumentException("Only tiled mode takes a tile count.");
    if (perUnit && kind != WeightKind.BINARY) throw new IllegalArgumentException("Per-unit scales exist only in binary mode.");
    if (minTiled < 0) throw new IllegalArgumentException("min must be ≥ 0, got " + minTiled + ".");
    if ((first == WeightKind.TILED || last == WeightKind.TILED) && kind != WeightKind.TILED) {
      throw new IllegalArgumentException("first=tiled and last=tiled need tiled mode, e.g. tiled:4,first=tiled.");
    }
  }

  /** Parses a spec such as {@code binary}, {@code binary:per-unit} or {@code tiled:4,first=binary,min=10000}. */
  public static WeightMode parse(String spec) {
    if (spec == null || spec.isBlank()) throw new IllegalArgumentException("The weight mode is empty; use float, binary, binary:per-unit or tiled:P.");
    String[] parts = spec.trim().toLowerCase(Locale.ROOT).split(",");
    String head = parts[0].trim();
    String name = head.contains(":") ? head.substring(0, head.indexOf(':')) : head;
    String arg = head.contains(":") ? head.substring(head.indexOf(':') + 1) : null;
    WeightKind kind = WeightKind.parse(name, spec);
    int tiles = 1;
    boolean perUnit = false;
    switch (kind) {
      case FLOAT -> {
        if (arg != null) throw new IllegalArgumentException("float takes no argument, got '" + spec + "'.");
      }
      case BINARY -> {
        if (arg != null && !arg.equals("per-unit") && !arg.equals("per-layer")) {
          throw new IllegalArgumentException("binary takes per-layer or per-unit, got '" + arg + "' in '" + spec + "'.");
        }
        perUnit = "per-unit".equals(arg);
      }
      case TILED -> {
        if (arg == null) throw new IllegalArgumentException("tiled needs a tile count, e.g. tiled:4, got '" + spec + "'.");
        tiles = parseInt(arg, "tile count", spec);
      }
    }
    int min = DEFAULT_MIN_TILED;
    WeightKind first = null;
    WeightKind last = null;
    boolean clipped = true;
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      int eq = p.indexOf('=');
      if (eq < 0) throw new IllegalArgumentException("Expected KEY=VALUE after the mode, got '" + p + "' in '" + spec + "'.");
      String key = p.substring(0, eq).trim();
      String value = p.substring(eq + 1).trim();
      switch (key) {
        case "min" -> {
          if (kind != WeightKind.TILED) throw new IllegalArgumentException("min= applies to tiled mode only, got '" + spec + "'.");
          min = parseInt(value, "min", spec);
        }
        case "first" -> first = WeightKind.parse(value, spec);
        case "last" -> last = WeightKind.parse(value, spec);
        case "ste" -> {
          if (!value.equals("clipped") && !value.equals("identity")) {
            throw new IllegalArgumentException("ste= takes clipped or identity, got '" + value + "' in '" + spec + "'.");
          }
          clipped = value.equals("clipped");
        }
        default -> throw new IllegalArgumentException("Unknown option '" + key + "' in '" + spec + "'; use min, first, last or ste.");
      }
    }
    return new WeightMode(kind, tiles, perUnit, min, first, last, clipped);
  }

  private static int parseInt(String s, String what, String spec) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("The " + what + " must be an integer, got '" + s + "' in '" + spec + "'.");
    }
  }

  /** One plan per weight layer of {@code arch}, in forward order (the index {@code Network.create} uses). */
  public List<LayerPlan> plan(Architecture arch) {
    List<LayerPlan> shapes = shapes(arch);
    List<LayerPlan> out = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      LayerPlan s = shapes.get(i);
      WeightKind k = kind;
      if (i == shapes.size() - 1 && last != null) k = last;
      if (i == 0 && first != null) k = first;
      if (k == WeightKind.TILED && s.weightCount() < minTiled) k = WeightKind.BINARY;
      out.add(new LayerPlan(s.name(), s.rows(), s.cols(), k, k == WeightKind.TILED ? tiles : 1, k == WeightKind.BINARY && perUnit));
    }
    return out;
  }

  /** The transform of each weight layer of {@code arch}; every call returns a new transform (one per layer). */
  public Function<Integer, WeightTransform> transforms(Architecture arch) {
    List<LayerPlan> plan = plan(arch);
    return i -> transform(plan.get(i));
  }

  /** A fresh transform for one planned layer. */
  public WeightTransform transform(LayerPlan layer) {
    if (layer.kind() == WeightKind.FLOAT) return WeightTransform.IDENTITY;
    return new SignTileTransform(layer.kind(), layer.tiles(), layer.perUnit(), clipped ? 1.0 : Double.POSITIVE_INFINITY);
  }

  /**
   * The weight matrices of {@code arch} as {@code [rows, cols]}, in forward order, named as the network names
   * them (float kind). Mirrors {@code Network.create}; a test checks they agree.
   */
  public static List<LayerPlan> shapes(Architecture arch) {
    List<LayerPlan> out = new ArrayList<>();
    if (!arch.convolutional()) {
      int in = arch.inputSize();
      int i = 1;
      for (int h : arch.hidden()) {
        out.add(new LayerPlan("dense" + i++, in, h, WeightKind.FLOAT, 1, false));
        in = h;
      }
      out.add(new LayerPlan("dense" + i, in, arch.classes(), WeightKind.FLOAT, 1, false));
    } else {
      int f1 = arch.hidden().get(0);
      int f2 = arch.hidden().get(1);
      int d = arch.hidden().get(2);
      out.add(new LayerPlan("conv1", 25 * arch.channels(), f1, WeightKind.FLOAT, 1, false));
      out.add(new LayerPlan("conv2", 25 * f1, f2, WeightKind.FLOAT, 1, false));
      out.add(new LayerPlan("dense1", (arch.rows() / 4) * (arch.cols() / 4) * f2, d, WeightKind.FLOAT, 1, false));
      out.add(new LayerPlan("dense2", d, arch.classes(), WeightKind.FLOAT, 1, false));
    }
    return out;
  }

  /** The canonical spec: {@code parse(toString())} equals this mode. Options at their default are left out. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(switch (kind) {
      case FLOAT -> "float";
      case BINARY -> perUnit ? "binary:per-unit" : "binary";
      case TILED -> "tiled:" + tiles;
    });
    if (kind == WeightKind.TILED && minTiled != DEFAULT_MIN_TILED) b.append(",min=").append(minTiled);
    if (first != null) b.append(",first=").append(first.label());
    if (last != null) b.append(",last=").append(last.label());
    if (!clipped) b.append(",ste=identity");
    return b.toString();
  }
}
