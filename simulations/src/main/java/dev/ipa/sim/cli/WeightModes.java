package dev.ipa.sim.cli;

import dev.ipa.alignment.model.WeightTransform;
import dev.ipa.sim.engine.SimulationConfig;
import java.util.function.Function;

/** Maps the {@code --weights} option to per-layer weight transforms. */
final class WeightModes {
  private WeightModes() {}

  static Function<Integer, WeightTransform> transforms(String weights, SimulationConfig config) {
    if (weights == null || weights.equals("float")) return i -> WeightTransform.IDENTITY;
    throw new IllegalArgumentException("Unknown weights mode '" + weights + "'; use float.");
  }
}
